namespace GraphCast.Orleans.Abstractions;

/// <summary>What <c>schedules/{name}/schedule.json</c> holds: the definition and the operator's controls (pause, pins, backfills).</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ScheduleRecord")]
public sealed record ScheduleRecord
{
    [Id(0)]
    public required ScheduleDefinition Definition { get; init; }

    /// <summary>Paused: no cycle falls due; on resume the catch-up policy decides about the cycles that fell due meanwhile.</summary>
    [Id(1)]
    public bool Paused { get; init; }

    /// <summary>Cycle times whose runs retention never deletes (<c>schedule pin</c>).</summary>
    [Id(2)]
    public IReadOnlyList<DateTime> Pinned { get; init; } = [];

    /// <summary>Backfill requests, oldest first; their cycles are queued behind scheduled ones.</summary>
    [Id(3)]
    public IReadOnlyList<BackfillRange> Backfills { get; init; } = [];

    public string Name => Definition.Name;
}
