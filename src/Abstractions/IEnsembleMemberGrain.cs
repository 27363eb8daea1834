namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// One ensemble member (key: <c>{runId}/{member}</c>): holds its rollout state, runs steps on the silo's compute device,
/// writes its output and checkpoints, and resumes from its latest valid checkpoint wherever it is activated.
/// </summary>
[Alias("GraphCast.IEnsembleMemberGrain")]
public interface IEnsembleMemberGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts (or keeps running) the member's rollout; returns once it is under way. <paramref name="lastSilo"/> is where the
    /// run last saw the member running: a member re-activated elsewhere while that silo is still shutting down waits for it to
    /// finish draining (and checkpointing) the member before resuming.
    /// </summary>
    [Alias("Start")]
    Task StartAsync(ForecastSpec spec, string? lastSilo = null, CancellationToken cancellationToken = default);

    [Alias("GetProgress")]
    Task<MemberProgress> GetProgressAsync(CancellationToken cancellationToken = default);

    [Alias("Cancel")]
    Task CancelAsync(CancellationToken cancellationToken = default);

    /// <summary>The grain key of member <paramref name="member"/> of run <paramref name="runId"/>.</summary>
    static string Key(string runId, int member) => FormattableString.Invariant($"{runId}/{member}");
}
