using System.Diagnostics;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.EnsembleStatistics;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// The ensemble statistics of one lead time of a run. It keeps only sets of members — those complete in the forecast store
/// and those included in what it last wrote — and produces the numbers in passes (<see cref="EnsembleStepStatistics"/>) that read
/// the included members' chunks back from the store, variable by variable, and rewrite the lead time's <c>stats.zarr</c>.
/// </summary>
/// <remarks>
/// <para>
/// A pass runs (a) as soon as every member of the run has the step in the store: the final statistics; (b) when the run
/// finishes (<see cref="FinaliseAsync"/>) or is reconciled, if the members complete in the store differ from those last
/// written, including a lead time no member reached (count 0); (c) while members are still arriving, at most once per
/// <see cref="EngineOptions.StatisticsInterval"/> (a one-shot grain timer), so a large run writes each lead time about
/// once rather than once per member. The grain is not reentrant and its timer does not interleave, so two passes of one
/// lead time never overlap; <see cref="StatisticsPassGate"/> bounds the passes of all lead times on the silo.
/// </para>
/// <para>
/// On activation it learns which members are complete from the store, and trusts the stored statistics if their
/// <c>member_count</c> equals that number: members only ever join the complete set (chunks are create-only) and a pass
/// writes its count last, so equal counts mean the same members. Otherwise the next trigger rewrites them. So a grain that
/// lost its silo neither loses nor double-counts a member.
/// </para>
/// </remarks>
public sealed partial class EnsembleStatisticsGrain(
    IBlobStore blobs, StatisticsPassGate gate, IOptions<EngineOptions> engine, ILogger<EnsembleStatisticsGrain> logger) : Grain, IEnsembleStatisticsGrain
{
    private readonly SortedSet<int> _complete = [];
    private EnsembleStepStatistics? _statistics;
    private EnsembleStatisticsStore? _store;
    private string _runId = string.Empty;

    /// <summary>The members the stored statistics include, ascending; null when unknown (stored before this activation and not matching the store).</summary>
    private int[]? _written;

    /// <summary>When the last pass ended (or the grain activated): partial passes are spaced from it.</summary>
    private DateTime _lastPass;

    private IGrainTimer? _partialPass;

    private enum PassReason
    {
        EveryMember,
        Partial,
        RunFinished,
        Reconciled,
        Rebuilt,
    }

    private EnsembleStepStatistics Statistics => _statistics ?? throw new InvalidOperationException("The statistics grain is used before its activation finished.");

    private bool IsUpToDate => _written is not null && _written.SequenceEqual(_complete);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        _runId = key[..slash];
        var step = int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
        var forecast = await ZarrForecastReader.OpenForRunAsync(blobs, _runId, cancellationToken);
        _store = await EnsembleStatisticsStore.CreateForRunAsync(blobs, _runId, forecast.Layout, cancellationToken);
        _statistics = new EnsembleStepStatistics(forecast, step);
        _complete.UnionWith(await _statistics.CompleteMembersAsync(cancellationToken));
        var count = await _store.TryReadMemberCountAsync(step - 1, cancellationToken);
        _written = count == _complete.Count ? [.. _complete] : null;
        _lastPass = DateTime.UtcNow;
        if (_written is null && _complete.Count > 0)
        {
            LogStale(_runId, step, count ?? 0, _complete.Count);
        }
    }

    public async Task AddMemberAsync(int member, CancellationToken cancellationToken = default)
    {
        if (!_complete.Contains(member) && await Statistics.IsCompleteAsync(member, cancellationToken))
        {
            _complete.Add(member);
        }

        if (IsUpToDate || _complete.Count == 0)
        {
            return;
        }

        if (_complete.Count == Statistics.Layout.Members)
        {
            await PassAsync(PassReason.EveryMember, cancellationToken);
            return;
        }

        var wait = engine.Value.StatisticsInterval - (DateTime.UtcNow - _lastPass);
        if (wait <= TimeSpan.Zero)
        {
            await PassAsync(PassReason.Partial, cancellationToken);
        }
        else
        {
            _partialPass ??= this.RegisterGrainTimer(PartialPassAsync, new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task FinaliseAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken);
        if (!IsUpToDate)
        {
            // Also when no member reached the step, so that its count of 0 is recorded.
            await PassAsync(PassReason.RunFinished, cancellationToken);
        }

        StopPartialPass();
        DeactivateOnIdle();
    }

    public async Task<IReadOnlyList<int>> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken);
        if (!IsUpToDate)
        {
            await PassAsync(PassReason.Reconciled, cancellationToken);
        }

        return _written!;
    }

    public async Task<IReadOnlyList<int>> GetMembersAsync(CancellationToken cancellationToken = default)
    {
        if (_written is null && _complete.Count > 0)
        {
            // What the store holds predates this activation and does not match it: rebuild, as the members are asked for.
            await PassAsync(PassReason.Rebuilt, cancellationToken);
        }

        return _written ?? [];
    }

    /// <summary>Adds every member that completed the step in the store (announcements may have been lost).</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken) =>
        _complete.UnionWith(await Statistics.CompleteMembersAsync(cancellationToken));

    private async Task PartialPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!IsUpToDate && _complete.Count > 0)
            {
                await PassAsync(PassReason.Partial, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Partial statistics are a preview: the next announcement, the last member or the run's end writes them again.
            LogPartialPassFailed(e, _runId, Statistics.Step);
        }
        finally
        {
            // Only now: disposing the timer cancels the token its callback was given. One shot; the next member re-arms it.
            StopPartialPass();
        }
    }

    private async Task PassAsync(PassReason reason, CancellationToken cancellationToken)
    {
        int[] members = [.. _complete];
        var started = Stopwatch.GetTimestamp();
        await gate.RunAsync(() => Statistics.WriteAsync(_store!, members, cancellationToken), cancellationToken);
        _written = members;
        _lastPass = DateTime.UtcNow;
        StopPartialPass();
        EngineTelemetry.StatisticsPassDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        LogPass(_runId, Statistics.Step, members.Length, Statistics.Layout.Members, reason, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private void StopPartialPass()
    {
        _partialPass?.Dispose();
        _partialPass = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Statistics of {RunId} step {Step} in the store count {Written} members and {Complete} are complete: they will be rewritten")]
    private partial void LogStale(string runId, int step, int written, int complete);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Statistics of {RunId} step {Step}: {Members} of {Total} members written ({Reason}) in {Seconds:F2} s")]
    private partial void LogPass(string runId, int step, int members, int total, PassReason reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A partial statistics pass of {RunId} step {Step} failed; the next announcement or the run's end writes the statistics again")]
    private partial void LogPartialPassFailed(Exception exception, string runId, int step);
}
