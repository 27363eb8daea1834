namespace GraphCast.Orleans.Abstractions;

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
