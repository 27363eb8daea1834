namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// Audits one member (key: <c>{runId}/{member}</c>) on a compute silo: recomputes it from a checkpoint (or its initial
/// condition) up to the last step it wrote and compares every chunk with the stored one, bit for bit. Writes nothing.
/// </summary>
[Alias("GraphCast.IMemberReplayGrain")]
public interface IMemberReplayGrain : IGrainWithStringKey
{
    /// <summary>Replays from <paramref name="fromStep"/> (0: the initial condition; otherwise a step with a checkpoint).</summary>
    /// <exception cref="ArgumentException">The run, member or step cannot be replayed (the message names why and the fix).</exception>
    [Alias("Replay")]
    Task<ReplayReport> ReplayAsync(int fromStep, CancellationToken cancellationToken = default);
}
