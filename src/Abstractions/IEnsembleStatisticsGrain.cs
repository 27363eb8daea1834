using Orleans.Concurrency;

namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// The ensemble statistics of one lead time of a run (key: <c>{runId}/{step}</c>, step 1-based): mean and spread over the
/// members that have committed that step, read from their durable forecast chunks and written to the run's
/// <c>stats.zarr</c>. Each member is counted once however often it is announced; a re-activated grain rebuilds from the store.
/// </summary>
/// <remarks>
/// The statistics are written when every member has the step, when the run finishes or is reconciled, and in between at
/// most once per <c>Engine:StatisticsInterval</c>; so an announcement does not by itself write anything.
/// </remarks>
[Alias("GraphCast.IEnsembleStatisticsGrain")]
public interface IEnsembleStatisticsGrain : IGrainWithStringKey
{
    /// <summary>Member <paramref name="member"/> has written this step (a hint: the store decides what is counted; the statistics follow when every member has arrived or the interval has passed).</summary>
    [OneWay]
    [Alias("AddMember")]
    Task AddMemberAsync(int member, CancellationToken cancellationToken = default);

    /// <summary>The run has finished: count every member whose step is in the store (announcements may have been lost), write, and let the grain go.</summary>
    [OneWay]
    [Alias("Finalise")]
    Task FinaliseAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts every member whose step is in the store, writes the statistics if they do not include exactly those (or were never written), and returns the members included.</summary>
    [Alias("Reconcile")]
    Task<IReadOnlyList<int>> ReconcileAsync(CancellationToken cancellationToken = default);

    /// <summary>The members the written statistics of this step include; empty before the first write (and while what the store holds predates this activation and is due to be rewritten).</summary>
    [Alias("GetMembers")]
    Task<IReadOnlyList<int>> GetMembersAsync(CancellationToken cancellationToken = default);

    /// <summary>The grain key of lead time <paramref name="step"/> (1-based) of run <paramref name="runId"/>.</summary>
    static string Key(string runId, int step) => FormattableString.Invariant($"{runId}/{step}");
}
