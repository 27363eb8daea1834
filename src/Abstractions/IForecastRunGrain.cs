namespace GraphCast.Orleans.Abstractions;

/// <summary>A forecast run (key: run id): validates and stores the spec, starts the members, tracks their progress.</summary>
[Alias("GraphCast.IForecastRunGrain")]
public interface IForecastRunGrain : IGrainWithStringKey
{
    /// <summary>Creates the run (idempotent for an identical spec; a different spec for an existing id is refused).</summary>
    [Alias("Submit")]
    Task<RunStatus> SubmitAsync(ForecastSpec spec, CancellationToken cancellationToken = default);

    [Alias("GetStatus")]
    Task<RunStatus?> GetStatusAsync(CancellationToken cancellationToken = default);

    [Alias("Cancel")]
    Task<RunStatus> CancelAsync(CancellationToken cancellationToken = default);

    /// <summary>Restarts members that failed or were cancelled; they continue from their latest checkpoint.</summary>
    [Alias("Resume")]
    Task<RunStatus> ResumeAsync(CancellationToken cancellationToken = default);

    /// <summary>Called by members after each committed step and when they finish or fail.</summary>
    [Alias("Report")]
    Task ReportAsync(MemberProgress progress, CancellationToken cancellationToken = default);

    /// <summary>Makes sure every unfinished member of a running run is active (the supervisor's poke after a silo loss).</summary>
    [Alias("EnsureRunning")]
    Task EnsureRunningAsync(CancellationToken cancellationToken = default);
}
