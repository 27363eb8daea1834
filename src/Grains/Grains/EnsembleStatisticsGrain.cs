using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Statistics;
using GraphCast.Orleans.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Grains.Grains;

/// <summary>
/// The ensemble statistics of one lead time of a run. On activation it rebuilds from the durable member chunks already in
/// the forecast store (so a grain that lost its silo neither loses nor double-counts a member), then folds in each member
/// announced after it commits the step, rewriting the lead time's chunks of <c>stats.zarr</c> with the new member count.
/// </summary>
/// <remarks>
/// It holds two float64 values per grid value of one lead time (Welford's mean and M2), never a member's field; members send
/// only their index, and the values are read from the store.
/// </remarks>
public sealed partial class EnsembleStatisticsGrain(IBlobStore blobs, ILogger<EnsembleStatisticsGrain> logger) : Grain, IEnsembleStatisticsGrain
{
    private StepStatistics? _statistics;
    private ZarrStatisticsStore? _store;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        var runId = key[..slash];
        var step = int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
        var forecast = await ZarrForecastReader.OpenForRunAsync(blobs, runId, cancellationToken);
        _store = await ZarrStatisticsStore.CreateForRunAsync(blobs, runId, forecast.Layout, cancellationToken);
        _statistics = new StepStatistics(forecast, step);
        if (await _statistics.ReconcileAsync(cancellationToken) > 0)
        {
            LogRebuilt(runId, step, _statistics.Members.Count);
            await _statistics.WriteAsync(_store, cancellationToken);
        }
    }

    public async Task AddMemberAsync(int member, CancellationToken cancellationToken = default)
    {
        if (await _statistics!.AddMemberAsync(member, cancellationToken))
        {
            await _statistics.WriteAsync(_store!, cancellationToken);
        }
    }

    public async Task FinaliseAsync(CancellationToken cancellationToken = default)
    {
        await _statistics!.ReconcileAsync(cancellationToken);
        // Written even when nothing changed, so a lead time no member reached records its count of 0.
        await _statistics.WriteAsync(_store!, cancellationToken);
        DeactivateOnIdle();
    }

    public async Task<IReadOnlyList<int>> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        if (await _statistics!.ReconcileAsync(cancellationToken) > 0)
        {
            await _statistics.WriteAsync(_store!, cancellationToken);
        }

        return [.. _statistics.Members];
    }

    public Task<IReadOnlyList<int>> GetMembersAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<int>>([.. _statistics!.Members]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Statistics of {RunId} step {Step} rebuilt from the store: {Members} members")]
    private partial void LogRebuilt(string runId, int step, int members);
}
