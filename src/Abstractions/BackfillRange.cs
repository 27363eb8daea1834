namespace GraphCast.Orleans.Abstractions;

/// <summary>A backfill request: every cycle of the schedule's cron expression from <see cref="FromUtc"/> to <see cref="ToUtc"/>, both included.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.BackfillRange")]
public sealed record BackfillRange
{
    [Id(0)]
    public required DateTime FromUtc { get; init; }

    [Id(1)]
    public required DateTime ToUtc { get; init; }

    /// <summary>When it was asked for.</summary>
    [Id(2)]
    public DateTime RequestedUtc { get; init; }

    /// <summary>How many cycles the range holds.</summary>
    [Id(3)]
    public int Cycles { get; init; }
}
