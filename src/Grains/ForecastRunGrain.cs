using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// A forecast run: validates and stores the spec (run.json, create-only), writes the forecast store's metadata, starts the
/// members, tracks their progress, and completes or cancels the run. Its state lives in blob storage, so a run grain
/// re-activated on another silo carries on; the active-runs index lets every silo's supervisor wake it after a loss.
/// </summary>
public sealed partial class ForecastRunGrain(
    RunManifestStore manifests,
    ModelRegistry registry,
    IForecastStore forecasts,
    IOptions<EngineOptions> engine,
    ILogger<ForecastRunGrain> logger) : Grain, IForecastRunGrain
{
    public const int MaxMembers = ForecastSpecRules.MaxMembers;
    public const int MaxSteps = ForecastSpecRules.MaxSteps;

    private RunStatus? _status;
    private string? _etag;
    private bool _dirty;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private IGrainTimer? _timer;
    private DateTime _lastPoke;

    private string RunId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RunLayout.ValidateRunId(RunId);
        (_status, _etag) = await manifests.ReadAsync(RunId, cancellationToken);
        if (_status is { State: RunState.Running })
        {
            StartTimer();
        }
    }

    public async Task<RunStatus> SubmitAsync(ForecastSpec spec, CancellationToken cancellationToken = default)
    {
        if (spec.RunId != RunId)
        {
            throw new ArgumentException($"The spec's run id '{spec.RunId}' differs from the run grain's '{RunId}'.");
        }

        if (_status is not null)
        {
            return _status.Spec == spec
                ? _status
                : throw new ArgumentException($"Run '{RunId}' already exists with a different spec. Use another --run-id, or 'graphcast resume {RunId}' to continue it.");
        }

        using var activity = EngineTelemetry.Source.StartActivity("run.submit");
        activity?.SetTag("graphcast.run_id", RunId);
        activity?.SetTag("graphcast.model", spec.Model);
        activity?.SetTag("graphcast.members", spec.Members);
        var (model, task, outputs) = Validate(spec);
        if (InitialConditionStore.IsPrepared(spec.InitialCondition))
        {
            await new InitialConditionStore(manifests.Blobs).RequireAsync(spec, cancellationToken);
        }

        var status = new RunStatus
        {
            Spec = spec,
            State = RunState.Running,
            CreatedUtc = DateTime.UtcNow,
            Members = Enumerable.Range(0, spec.Members).Select(m => new MemberProgress { Member = m, State = MemberState.Pending }).ToArray(),
            ForecastLocation = forecasts.Location(RunId),
        };

        // The forecast's metadata first: a run whose manifest exists always has a store to write into.
        var (graphsSpecLat, graphsSpecLon) = Grid(model);
        var layout = IForecastStore.LayoutOf(spec.Members, spec.Steps, task, graphsSpecLat, graphsSpecLon, spec.InitTime, outputs) with
        {
            Compressor = GraphCast.Formats.Zarr.ZarrCompressor.Parse(spec.Compression ?? "none"),
            Attributes = ForecastProvenance.Attributes(spec),
        };
        await forecasts.CreateAsync(RunId, layout, cancellationToken);
        if (!await manifests.TryCreateAsync(status, cancellationToken))
        {
            // Another activation (or an earlier attempt whose answer was lost) created it: accept it only if identical.
            (_status, _etag) = await manifests.ReadAsync(RunId, cancellationToken);
            return _status!.Spec == spec ? _status : throw new ArgumentException($"Run '{RunId}' already exists with a different spec.");
        }

        (_status, _etag) = await manifests.ReadAsync(RunId, cancellationToken);
        await manifests.MarkActiveAsync(RunId, cancellationToken);
        LogSubmitted(RunId, spec.Model, spec.Members, spec.Steps);
        EngineTelemetry.RunsSubmitted.Add(1);
        StartTimer();
        // The run exists from here on: a member that cannot start yet (no compute silo, say) makes it wait, not fail.
        await TryStartMembersAsync(cancellationToken);
        return _status!;
    }

    public Task<RunStatus?> GetStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(_status);

    public async Task<RunStatus> CancelAsync(CancellationToken cancellationToken = default)
    {
        var status = Require();
        if (status.IsFinished)
        {
            return status;
        }

        await Task.WhenAll(Enumerable.Range(0, status.Spec.Members).Select(m =>
            GrainFactory.GetGrain<IEnsembleMemberGrain>(IEnsembleMemberGrain.Key(RunId, m)).CancelAsync(cancellationToken)));
        var cancelled = await CommitAsync(status with
        {
            State = RunState.Cancelled,
            CompletedUtc = DateTime.UtcNow,
            Members = status.Members.Select(p => p.State == MemberState.Completed ? p : p with { State = MemberState.Cancelled }).ToArray(),
        }, cancellationToken);
        await manifests.UnmarkActiveAsync(RunId, cancellationToken);
        StopTimer();
        EngineTelemetry.RunsFinished.Add(1, new KeyValuePair<string, object?>("state", nameof(RunState.Cancelled)));
        await RunStatistics.RunFinishedAsync(GrainFactory, RunId, StepsReached(status), cancellationToken);
        return cancelled;
    }

    public async Task<RunStatus> ResumeAsync(CancellationToken cancellationToken = default)
    {
        var status = Require();
        if (status.State == RunState.Completed)
        {
            return status;
        }

        // Marked active first: a resume whose manifest write then fails is still found (and finished) by supervision.
        await manifests.MarkActiveAsync(RunId, cancellationToken);
        var resumed = await CommitAsync(status with
        {
            State = RunState.Running,
            CompletedUtc = null,
            Error = null,
            Members = status.Members.Select(p => p.State is MemberState.Failed or MemberState.Cancelled ? p with { State = MemberState.Pending, Error = null } : p).ToArray(),
        }, cancellationToken);
        StartTimer();
        await TryStartMembersAsync(cancellationToken);
        return _status ?? resumed;
    }

    public async Task ReportAsync(MemberProgress progress, CancellationToken cancellationToken = default)
    {
        if (_status is null || progress.Member < 0 || progress.Member >= _status.Members.Count)
        {
            return;
        }

        var members = _status.Members.ToArray();
        var current = members[progress.Member];
        // A late report of an older step (e.g. from a previous activation) never moves progress back.
        if (progress.Step < current.Step && progress.State == MemberState.Running)
        {
            return;
        }

        if (_status.State == RunState.Cancelled && progress.State != MemberState.Completed)
        {
            progress = progress with { State = MemberState.Cancelled };
        }
        else if (_status.State == RunState.Running && progress.State == MemberState.Cancelled)
        {
            // A cancellation that lands after a resume: the run wants the member, so the next poke restarts it.
            progress = progress with { State = MemberState.Pending };
        }

        members[progress.Member] = progress;
        // The run's model hash is its members'; a member whose silo loaded other parameters under the same model name is logged.
        if (progress.ModelHash is { } hash && _status.ModelHash is { } known && hash != known)
        {
            LogModelHashMismatch(RunId, progress.Member, progress.Silo, hash[..12], known[..12], _status.Spec.Model);
        }

        var next = _status with { Members = members, ModelHash = _status.ModelHash ?? progress.ModelHash };
        if (next.State == RunState.Running && members.All(m => m.State == MemberState.Completed))
        {
            // Nobody sees "completed" before the manifest says so: if this write fails, the member's report fails and is
            // retried, and this grain still holds the running state.
            await CommitAsync(next with { State = RunState.Completed, CompletedUtc = DateTime.UtcNow }, cancellationToken);
            await manifests.UnmarkActiveAsync(RunId, cancellationToken);
            StopTimer();
            LogCompleted(RunId);
            EngineTelemetry.RunsFinished.Add(1, new KeyValuePair<string, object?>("state", nameof(RunState.Completed)));
            await RunStatistics.RunFinishedAsync(GrainFactory, RunId, _status.Spec.Steps, cancellationToken);
        }
        else if (next.State == RunState.Running && members.All(m => m.State is MemberState.Completed or MemberState.Failed) && members.Any(m => m.State == MemberState.Failed))
        {
            var failed = members.First(m => m.State == MemberState.Failed);
            await CommitAsync(next with { State = RunState.Failed, CompletedUtc = DateTime.UtcNow, Error = $"member {failed.Member}: {failed.Error}" }, cancellationToken);
            await manifests.UnmarkActiveAsync(RunId, cancellationToken);
            StopTimer();
            EngineTelemetry.RunsFinished.Add(1, new KeyValuePair<string, object?>("state", nameof(RunState.Failed)));
            await RunStatistics.RunFinishedAsync(GrainFactory, RunId, StepsReached(next), cancellationToken);
        }
        else
        {
            // Progress is written in batches by the timer; the member's own durable outputs are the truth meanwhile.
            _status = next;
            _dirty = true;
        }
    }

    public async Task EnsureRunningAsync(CancellationToken cancellationToken = default)
    {
        if (_status is { State: RunState.Running })
        {
            StartTimer();
            await TryStartMembersAsync(cancellationToken);
        }
        else if (_status is null || _status.IsFinished)
        {
            // A stale index entry: the run finished (or never existed).
            await manifests.UnmarkActiveAsync(RunId, cancellationToken);
        }
    }

    private (GraphCast.Model.Configuration.ModelConfig Model, GraphCast.Model.Configuration.TaskConfig Task, IReadOnlyList<string> Outputs) Validate(ForecastSpec spec) =>
        Validate(spec, registry);

    /// <summary>The checks a submission passes, with their messages (a schedule's run template is checked by the same).</summary>
    internal static (GraphCast.Model.Configuration.ModelConfig Model, GraphCast.Model.Configuration.TaskConfig Task, IReadOnlyList<string> Outputs) Validate(ForecastSpec spec, ModelRegistry registry)
    {
        // The checks that need no model (shared with the CLI and the HTTP API, same messages), then the model's.
        ForecastSpecRules.Check(spec);
        var (model, task) = registry.Describe(spec.Model);
        var outputs = MemberRollout.OutputVariables(spec, task);
        _ = RegionRollout.Parse(spec, model, task);
        if (spec.ParamPerturbation is not null)
        {
            var perturbation = GraphCast.Model.Perturbations.ParameterPerturbation.Parse(spec.ParamPerturbation);
            using var expected = GraphCast.Model.GraphCastModel.ExpectedParameters(model, task);
            _ = perturbation.Matching(expected.Keys);
        }

        if (spec.InitialCondition != "analytic" && !InitialConditionStore.IsPrepared(spec.InitialCondition))
        {
            throw new ArgumentException(
                $"Initial condition '{spec.InitialCondition}' is neither 'analytic' nor a prepared one ('{InitialConditionStore.Prefix}…', which 'graphcast forecast --init FILE' writes).");
        }

        return (model, task, outputs);
    }

    private static (float[] Lat, float[] Lon) Grid(GraphCast.Model.Configuration.ModelConfig model)
    {
        var spec = GraphCast.Model.Geometry.GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        return (spec.GridLatitudes, spec.GridLongitudes);
    }

    /// <summary>
    /// The lead times a cancelled or failed run has to finalise: those some member reached, and one more for a step that was
    /// being committed meanwhile (a later commit announces itself to its step's statistics anyway). The statistics of a step no
    /// member reached read as empty without a pass, so finalising them would only flood the cluster and its storage with
    /// passes (a 500-step run cancelled at step 3 would start 500).
    /// </summary>
    private static int StepsReached(RunStatus status) => Math.Min(status.Spec.Steps, status.Members.Max(m => m.Step) + 1);

    private async Task StartMembersAsync(CancellationToken cancellationToken)
    {
        var status = Require();
        _lastPoke = DateTime.UtcNow;
        await Task.WhenAll(status.Members.Where(m => m.State is MemberState.Pending or MemberState.Running).Select(m =>
            GrainFactory.GetGrain<IEnsembleMemberGrain>(IEnsembleMemberGrain.Key(RunId, m.Member)).StartAsync(status.Spec, m.State == MemberState.Running ? m.Silo : null, cancellationToken)));
    }

    /// <summary>
    /// Starts (or pokes) the members; when that fails — no silo offers compute, storage or a silo unreachable — the run
    /// records why in <see cref="RunStatus.Waiting"/> and the timer tries again at the next supervisor interval.
    /// </summary>
    private async Task TryStartMembersAsync(CancellationToken cancellationToken)
    {
        string? waiting = null;
        try
        {
            await StartMembersAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            waiting = $"members could not be started: {e.Message} The run tries again every {engine.Value.SupervisorInterval.TotalSeconds:0.#} s.";
            LogWaiting(e, RunId);
        }

        if (_status is { State: RunState.Running } status && status.Waiting != waiting)
        {
            _status = status with { Waiting = waiting };
            _dirty = true;
        }
    }

    private void StartTimer()
    {
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(engine.Value.ManifestFlushInterval, engine.Value.ManifestFlushInterval) { Interleave = true });
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(force: false, cancellationToken);
        if (_status is { State: RunState.Running } && DateTime.UtcNow - _lastPoke >= engine.Value.SupervisorInterval)
        {
            // Members keep their grain active through these calls, and a member whose silo died is re-activated here.
            await TryStartMembersAsync(cancellationToken);
        }
    }

    private async Task FlushAsync(bool force, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            if (_status is not null && (_dirty || force))
            {
                // Reports that arrive while this write is under way mark the state dirty again for the next flush.
                _dirty = false;
                try
                {
                    await WriteAsync(_status, cancellationToken);
                }
                catch
                {
                    _dirty = true;
                    throw;
                }
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Writes <paramref name="status"/> to run.json and only then makes it this grain's state.</summary>
    private async Task<RunStatus> CommitAsync(RunStatus status, CancellationToken cancellationToken)
    {
        // The flush timer interleaves with calls: one manifest write at a time, so a batch flush of older progress can never
        // land after (and over) a final state.
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(status, cancellationToken);
            _status = status;
            _dirty = false;
            return status;
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task WriteAsync(RunStatus status, CancellationToken cancellationToken)
    {
        try
        {
            _etag = await manifests.UpdateAsync(status, _etag, cancellationToken);
        }
        catch (BlobETagMismatchException)
        {
            // Another activation wrote it (a split brain during failover): re-read its ETag and write ours, which has the
            // newest member reports this activation received.
            (_, _etag) = await manifests.ReadAsync(RunId, cancellationToken);
            _etag = await manifests.UpdateAsync(status, _etag, cancellationToken);
        }
    }

    private RunStatus Require() => _status ?? throw new KeyNotFoundException($"There is no run '{RunId}'. Start it with 'graphcast forecast --run-id {RunId}'.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: member {Member} on silo {Silo} computes with model hash {Hash}, but the run's model hash is {Known}: the silos load different parameters for model {Model}; make every silo load the same checkpoint file")]
    private partial void LogModelHashMismatch(string runId, int member, string? silo, string hash, string known, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} submitted: model {Model}, {Members} members, {Steps} steps")]
    private partial void LogSubmitted(string runId, string model, int members, int steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} could not start its members; it tries again at the next supervisor interval")]
    private partial void LogWaiting(Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} completed")]
    private partial void LogCompleted(string runId);
}
