namespace GraphCast.Orleans.Abstractions;

/// <summary>What <c>schedule show</c> prints: the schedule, its next due cycle and its recent cycles, newest first.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ScheduleView")]
public sealed record ScheduleView
{
    [Id(0)]
    public required ScheduleRecord Schedule { get; init; }

    /// <summary>The next cycle time the cron expression gives after now; null while paused.</summary>
    [Id(1)]
    public DateTime? NextDueUtc { get; init; }

    /// <summary>The most recent cycles (by cycle time), newest first.</summary>
    [Id(2)]
    public IReadOnlyList<CycleRecord> Cycles { get; init; } = [];

    /// <summary>When the view was taken (the schedule's clock).</summary>
    [Id(3)]
    public DateTime NowUtc { get; init; }
}
