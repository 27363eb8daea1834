namespace GraphCast.Orleans.Abstractions;

/// <summary>What <c>schedule remove</c> did: the cycle records removed, the runs deleted, and the runs kept and why.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ScheduleRemoval")]
public sealed record ScheduleRemoval
{
    [Id(0)]
    public int CyclesRemoved { get; init; }

    [Id(1)]
    public IReadOnlyList<string> DeletedRuns { get; init; } = [];

    /// <summary>Runs left in place: "{runId}: {why}" (running, pinned, or <c>--keep-runs</c>).</summary>
    [Id(2)]
    public IReadOnlyList<string> KeptRuns { get; init; } = [];
}
