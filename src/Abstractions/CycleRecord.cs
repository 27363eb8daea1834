namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// One cycle's fate (<c>schedules/{name}/cycles/{yyyyMMddTHHmm}.json</c>): created create-only before its run is submitted,
/// so however many ticks or silos race for a cycle, one record and one run (<see cref="RunId"/>) exist; then updated as the
/// cycle waits, starts, runs and ends.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.CycleRecord")]
public sealed record CycleRecord
{
    [Id(0)]
    public required string Schedule { get; init; }

    /// <summary>The cycle time (UTC): the run's init time.</summary>
    [Id(1)]
    public required DateTime CycleTime { get; init; }

    /// <summary><c>{schedule}-{yyyyMMddTHHmm}</c>.</summary>
    [Id(2)]
    public required string RunId { get; init; }

    [Id(3)]
    public CycleOrigin Origin { get; init; }

    [Id(4)]
    public CycleState State { get; init; }

    /// <summary>When the record was created (the cycle was first seen due, triggered or backfilled).</summary>
    [Id(5)]
    public DateTime CreatedUtc { get; init; }

    /// <summary>When it left the queue and began waiting for its data (or starting).</summary>
    [Id(6)]
    public DateTime? WaitingSinceUtc { get; init; }

    /// <summary>How many times its data was looked for and not found (or did not read completely).</summary>
    [Id(7)]
    public int Polls { get; init; }

    /// <summary>When its data was last looked for.</summary>
    [Id(8)]
    public DateTime? LastPollUtc { get; init; }

    /// <summary>When its data was found reading completely (or the fallback was taken).</summary>
    [Id(9)]
    public DateTime? DataArrivedUtc { get; init; }

    /// <summary>What the run starts from: the data file or blob it read, or the run it warm-started from.</summary>
    [Id(10)]
    public string? DataSource { get; init; }

    /// <summary>The run's initial condition (<c>analytic</c> or <c>prepared:sha256:…</c>), recorded before the submit.</summary>
    [Id(11)]
    public string? InitialCondition { get; init; }

    /// <summary>True when the data never came and the run warm-started from the previous cycle's forecast.</summary>
    [Id(12)]
    public bool WarmStart { get; init; }

    /// <summary>When the run was submitted.</summary>
    [Id(13)]
    public DateTime? SubmittedUtc { get; init; }

    /// <summary>When the run completed or failed (the run's own time).</summary>
    [Id(14)]
    public DateTime? CompletedUtc { get; init; }

    /// <summary>Why it is Missed, Failed, Expired or Skipped; or what it is waiting for.</summary>
    [Id(15)]
    public string? Reason { get; init; }

    /// <summary>Retention deleted the run's forecast.</summary>
    [Id(16)]
    public bool RunDeleted { get; init; }

    /// <summary>Retention deleted the members' rollout checkpoints except each member's last.</summary>
    [Id(17)]
    public bool CheckpointsPruned { get; init; }

    public bool IsFinal => State is CycleState.Completed or CycleState.Failed or CycleState.Missed or CycleState.Expired or CycleState.Skipped;

    /// <summary>Holds one of the <c>max-active</c> slots.</summary>
    public bool IsActive => State is CycleState.WaitingForData or CycleState.Starting or CycleState.Running;
}
