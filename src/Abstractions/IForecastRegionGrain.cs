using Orleans.Concurrency;

namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// One forecast region of one member (key: <c>{runId}/{region}/{member}</c>): a limited-area nest (or a cut-out) driven by
/// its parent member's committed steps, which it reads from storage. It holds its own params and state, checkpoints, and
/// resumes like a member; it never slows or fails its parent.
/// </summary>
[Alias("GraphCast.IForecastRegionGrain")]
public interface IForecastRegionGrain : IGrainWithStringKey
{
    /// <summary>
    /// The parent member has committed <paramref name="step"/>: run the region up to it (and as far as the stored parent
    /// steps reach). One-way: the parent never waits; a lost message only delays the region until the next one.
    /// </summary>
    [OneWay]
    [Alias("ParentCommitted")]
    Task ParentCommittedAsync(ForecastSpec spec, int step, CancellationToken cancellationToken = default);

    [Alias("GetProgress")]
    Task<RegionProgress> GetProgressAsync(CancellationToken cancellationToken = default);

    /// <summary>The grain key of region <paramref name="region"/> of member <paramref name="member"/> of run <paramref name="runId"/>.</summary>
    static string Key(string runId, string region, int member) => FormattableString.Invariant($"{runId}/{region}/{member}");
}
