namespace GraphCast.Orleans.Abstractions;

/// <summary>How the engine drives the ensemble statistics grains: a member announces each committed step; a finished run finalises every step.</summary>
/// <remarks>
/// Announcements are hints: the statistics count what is in the forecast store, and a finished run (or a re-activated
/// statistics grain) reconciles with it. So a failed announcement — a silo going down, say — never fails the member or
/// the run; it only delays a member's inclusion until the next reconciliation.
/// </remarks>
public static class RunStatistics
{
    /// <summary>Announces that <paramref name="member"/> committed <paramref name="step"/> (1-based); one-way, so the member does not wait.</summary>
    public static async Task MemberCommittedAsync(IGrainFactory grains, string runId, int member, int step, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IEnsembleStatisticsGrain>(IEnsembleStatisticsGrain.Key(runId, step)).AddMemberAsync(member, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A lost hint: the step's statistics pick the member up from the store when they reconcile.
        }
    }

    /// <summary>
    /// Tells the statistics of every step that the run finished (completed, failed or cancelled): each counts what arrived in
    /// the store, including members whose announcement was lost, and records its member count. One-way calls; the passes
    /// they start wait for the silo's statistics pass gate, so every step finalising at once holds no
    /// more memory than <c>Engine:StatisticsConcurrency</c> passes.
    /// </summary>
    public static async Task RunFinishedAsync(IGrainFactory grains, string runId, int steps, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(1, steps).Select(step =>
                grains.GetGrain<IEnsembleStatisticsGrain>(IEnsembleStatisticsGrain.Key(runId, step)).FinaliseAsync(cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As above: a statistics grain activated later rebuilds from the store.
        }
    }

    /// <summary>
    /// Waits until the statistics of every step include every member committed in the store (what a process that is about
    /// to stop its silo calls, since announcements are one-way); returns the member count per step.
    /// </summary>
    /// <param name="grains">Where the statistics grains live.</param>
    /// <param name="runId">The run.</param>
    /// <param name="steps">Its lead times.</param>
    /// <param name="untilDone">
    /// Keep asking a step whose answer outlasts the response timeout (a pass over a large grid, or passes queued behind the
    /// silo's statistics pass gate): the grain finishes its pass and answers the next call at once.
    /// What an embedded silo needs before it stops; a cluster client may rather leave the passes to the cluster.
    /// </param>
    /// <param name="cancellationToken">Stops the waiting (not the passes).</param>
    public static async Task<IReadOnlyList<int>> SettleAsync(IGrainFactory grains, string runId, int steps, bool untilDone = false, CancellationToken cancellationToken = default)
    {
        var members = await Task.WhenAll(Enumerable.Range(1, steps).Select(async step =>
        {
            var grain = grains.GetGrain<IEnsembleStatisticsGrain>(IEnsembleStatisticsGrain.Key(runId, step));
            while (true)
            {
                try
                {
                    return await grain.ReconcileAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (untilDone && !cancellationToken.IsCancellationRequested && e is TimeoutException or OperationCanceledException)
                {
                    // The grain is still in a pass (or queued for the gate), or finishing one before it deactivates (Orleans
                    // then cancels a call that expires before its new activation is placed): the call is repeated, not the pass.
                }
            }
        })).ConfigureAwait(false);
        return [.. members.Select(m => m.Count)];
    }
}
