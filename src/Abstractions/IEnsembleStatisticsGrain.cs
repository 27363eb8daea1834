using Orleans.Concurrency;

namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// The ensemble statistics of one lead time of a run (key: <c>{runId}/{step}</c>, step 1-based): mean and spread over the
/// members that have committed that step, read from their durable forecast chunks and written to the run's
/// <c>stats.zarr</c>. Each member is counted once however often it is announced; a re-activated grain rebuilds from the store.
/// </summary>
[Alias("GraphCast.IEnsembleStatisticsGrain")]
public interface IEnsembleStatisticsGrain : IGrainWithStringKey
{
    /// <summary>Member <paramref name="member"/> has written this step (a hint: the store decides what is counted).</summary>
    [OneWay]
    [Alias("AddMember")]
    Task AddMemberAsync(int member, CancellationToken cancellationToken = default);

    /// <summary>The run has finished: count every member whose step is in the store (announcements may have been lost), write, and let the grain go.</summary>
    [OneWay]
    [Alias("Finalise")]
    Task FinaliseAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts every member whose step is in the store and not yet included, writes if any was, and returns the members included.</summary>
    [Alias("Reconcile")]
    Task<IReadOnlyList<int>> ReconcileAsync(CancellationToken cancellationToken = default);

    /// <summary>The members the statistics of this step include.</summary>
    [Alias("GetMembers")]
    Task<IReadOnlyList<int>> GetMembersAsync(CancellationToken cancellationToken = default);

    /// <summary>The grain key of lead time <paramref name="step"/> (1-based) of run <paramref name="runId"/>.</summary>
    static string Key(string runId, int step) => FormattableString.Invariant($"{runId}/{step}");
}
