namespace GraphCast.Orleans.Abstractions;

/// <summary>Where a run stands.</summary>
[GenerateSerializer]
public enum RunState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>Where one member stands.</summary>
[GenerateSerializer]
public enum MemberState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>One member's progress: last committed step (durable: its output and, when due, checkpoint are written).</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.MemberProgress")]
public sealed record MemberProgress
{
    [Id(0)]
    public required int Member { get; init; }

    [Id(1)]
    public int Step { get; init; }

    [Id(2)]
    public MemberState State { get; init; }

    /// <summary>Seconds the last step took on its compute device (model only).</summary>
    [Id(3)]
    public double LastStepSeconds { get; init; }

    /// <summary>Sum of the step times of this activation.</summary>
    [Id(4)]
    public double TotalStepSeconds { get; init; }

    /// <summary>The silo the member runs on.</summary>
    [Id(5)]
    public string? Silo { get; init; }

    [Id(6)]
    public string? Error { get; init; }

    /// <summary>Step the member resumed from on its latest activation (0 = from the initial condition).</summary>
    [Id(7)]
    public int ResumedFrom { get; init; }
}

/// <summary>A run's manifest: its spec, state, per-member progress and times.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.RunStatus")]
public sealed record RunStatus
{
    [Id(0)]
    public required ForecastSpec Spec { get; init; }

    [Id(1)]
    public RunState State { get; init; }

    [Id(2)]
    public IReadOnlyList<MemberProgress> Members { get; init; } = [];

    [Id(3)]
    public DateTime CreatedUtc { get; init; }

    [Id(4)]
    public DateTime? CompletedUtc { get; init; }

    [Id(5)]
    public string? Error { get; init; }

    /// <summary>Where the forecast store is (e.g. a local path or a blob URL).</summary>
    [Id(6)]
    public string? ForecastLocation { get; init; }

    /// <summary>Identity of the model that computed it.</summary>
    [Id(7)]
    public string? ModelHash { get; init; }

    /// <summary>
    /// Why members of a running run could not be started the last time the run tried (e.g. no silo offers compute), or null
    /// when nothing holds them back. The run keeps trying at every supervisor interval and clears it once they start.
    /// </summary>
    [Id(8)]
    public string? Waiting { get; init; }

    public string RunId => Spec.RunId;

    public bool IsFinished => State is RunState.Completed or RunState.Failed or RunState.Cancelled;
}
