using GraphCast.Model.Predictors;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Placement;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Faults;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// One ensemble member. On start (or any re-activation) it takes the silo's shared model, resumes from its latest valid
/// checkpoint (or builds its perturbed initial condition), then steps: each step runs on the silo's compute threads, its
/// outputs are written (create-only), a checkpoint every K steps, and the committed step is reported to the run. The loop runs
/// beside the grain's turns, so status and cancel calls answer during a run. When its silo shuts down (SIGTERM) the member
/// drains: the step in flight finishes and is committed, a checkpoint of it is written if the cadence had not, and the
/// member leaves without a report, to resume from that step wherever it is re-activated.
/// </summary>
[ComputePlacement]
public sealed partial class EnsembleMemberGrain(
    ModelRegistry registry,
    StepExecutor executor,
    RolloutCheckpointStore checkpoints,
    IForecastStore forecasts,
    InitialConditionStore initialConditions,
    ILocalSiloDetails silo,
    IOptions<EngineOptions> engine,
    IHostApplicationLifetime lifetime,
    ComputeLoad load,
    IClusterMembershipService membership,
    ILogger<EnsembleMemberGrain> logger) : Grain, IEnsembleMemberGrain
{
    private Task? _loop;
    private CancellationTokenSource? _cancel;
    private bool _restartPending;
    private bool _deactivating;
    private CancellationTokenSource? _drain;
    private int _lastFailedAt = -1;
    private MemberProgress _progress = new() { Member = -1 };

    private (string RunId, int Member) Identity
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.LastIndexOf('/');
            return (key[..slash], int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public Task StartAsync(ForecastSpec spec, string? lastSilo = null, CancellationToken cancellationToken = default)
    {
        if (_loop is { IsCompleted: false })
        {
            // Running: nothing to do. Being cancelled (a resume right after a cancel): chain a fresh loop after the old one
            // without waiting here — the old loop's last report goes to the run grain, which may be the caller.
            if (_cancel is { IsCancellationRequested: true } && !_restartPending)
            {
                _restartPending = true;
                _loop = RestartAfterAsync(_loop, spec, lastSilo);
            }

            return Task.CompletedTask;
        }

        if (_progress.State == MemberState.Completed)
        {
            return this.GrainFactory.GetGrain<IForecastRunGrain>(spec.RunId).ReportAsync(_progress, cancellationToken);
        }

        _loop = StartLoop(spec, lastSilo);
        return Task.CompletedTask;
    }

    private Task StartLoop(ForecastSpec spec, string? lastSilo)
    {
        var (runId, member) = Identity;
        _cancel = new CancellationTokenSource();
        _progress = new MemberProgress { Member = member, State = MemberState.Running, Silo = silo.SiloAddress.ToString() };
        return RunAsync(spec, runId, member, lastSilo, _cancel.Token);
    }

    private async Task RestartAfterAsync(Task previous, ForecastSpec spec, string? lastSilo)
    {
        await previous;
        _restartPending = false;
        await StartLoop(spec, lastSilo);
    }

    /// <summary>
    /// Waits while <paramref name="lastSilo"/>, where the member last ran, is shutting down: its activation there may still be
    /// draining (finishing its step and writing the checkpoint this activation must resume from). Orleans can route a call
    /// to a fresh activation here before the old one has finished deactivating; resuming at once would start from an older
    /// checkpoint and redo the steps. The wait ends when that silo has left (or died), or after
    /// <see cref="EngineOptions.DrainHandOverTimeout"/>; a silo that is still active is not waited for (its activation of this
    /// member is gone, or this call would have reached it).
    /// </summary>
    private async Task WaitForDrainAsync(string runId, int member, string? lastSilo, CancellationToken cancellationToken)
    {
        var self = silo.SiloAddress.ToString();
        if (lastSilo is null || lastSilo == self)
        {
            return;
        }

        var deadline = DateTime.UtcNow + engine.Value.DrainHandOverTimeout;
        var logged = false;
        while (DateTime.UtcNow < deadline)
        {
            var leaving = membership.CurrentSnapshot.Members.Values.Any(m =>
                m.SiloAddress.ToString() == lastSilo && m.Status is SiloStatus.ShuttingDown or SiloStatus.Stopping);
            if (!leaving)
            {
                return;
            }

            if (!logged)
            {
                LogWaitingForDrain(runId, member, lastSilo);
                logged = true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    public Task<MemberProgress> GetProgressAsync(CancellationToken cancellationToken = default) => Task.FromResult(_progress);

    public Task CancelAsync(CancellationToken cancellationToken = default)
    {
        _cancel?.Cancel();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Leaving this silo: stop stepping without a report. The member's durable state is its latest checkpoint; the run
        // grain re-activates it wherever it lands next. On shutdown the loop drains first (its step in flight committed
        // and checkpointed), for as long as Orleans lets the deactivation take; otherwise it stops at once.
        _deactivating = true;
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && _loop is { IsCompleted: false } loop)
        {
            _drain?.Cancel();
            try
            {
                await loop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Out of time: stop now.
            }
        }

        _cancel?.Cancel();
    }

    /// <summary>
    /// The member's loop: attempts of <see cref="RunAttemptAsync"/> until the member completes, is cancelled, fails for a
    /// reason retrying cannot fix, or its silo goes away. A transient failure (storage or a silo unreachable) restarts the
    /// attempt from the latest valid checkpoint after a backoff — the recomputed steps are bit-identical and every write is
    /// create-only, so nothing is lost or written twice — until <see cref="EngineOptions.TransientFailureBudget"/> has passed
    /// without a committed step.
    /// </summary>
    private async Task RunAsync(ForecastSpec spec, string runId, int member, string? lastSilo, CancellationToken cancelled)
    {
        using var active = load.Enter(this.GetGrainId());
        // Every log line of this member's rollout (storage retries, the model registry, …) carries its run and member, as
        // fields of JSON console logs (Logging:Console:FormatterName=json) and as a scope of any other provider.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId, ["Member"] = member });
        // One span per activation's rollout, under the call that started it (the run's submit or supervisor), with the
        // member's step spans as its children; it ends with the member's state and the step it resumed from.
        using var activation = EngineTelemetry.Source.StartActivity("member.activation");
        activation?.SetTag("graphcast.run_id", runId);
        activation?.SetTag("graphcast.member", member);
        activation?.SetTag("graphcast.silo", silo.SiloAddress.ToString());
        try
        {
            await RunActivationAsync(spec, runId, member, lastSilo, cancelled);
        }
        finally
        {
            activation?.SetTag("graphcast.resumed_from", _progress.ResumedFrom);
            activation?.SetTag("graphcast.state", _progress.State.ToString());
            activation?.SetTag("graphcast.step", _progress.Step);
        }
    }

    private async Task RunActivationAsync(ForecastSpec spec, string runId, int member, string? lastSilo, CancellationToken cancelled)
    {
        try
        {
            await WaitForDrainAsync(runId, member, lastSilo, cancelled);
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            // Cancelled or deactivated while waiting: the attempt below sees the token and reports as usual.
        }

        var run = GrainFactory.GetGrain<IForecastRunGrain>(runId);
        var policy = engine.Value.RetryPolicy;
        // Two ways to stop: 'cancelled' (a cancel, or a deactivation) stops at once; 'drain' (the silo shutting down) stops
        // at the next step boundary, after the step in flight is committed and checkpointed.
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        _drain = drain;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancelled, drain.Token);
        var token = linked.Token;
        DateTime? failingSince = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!await RunAttemptAsync(spec, runId, member, run, cancelled, drain.Token))
                {
                    LogDrained(runId, member, _progress.Step);
                    return;
                }

                _progress = _progress with { State = MemberState.Completed, Error = null };
                await ReportFinalAsync(run, runId, member);
                LogCompleted(runId, member, _progress.Step);
                return;
            }
            catch (Exception) when (_deactivating || drain.IsCancellationRequested)
            {
                // The silo is stopping or the grain is leaving it: whatever failed, the member is not done — no report.
                LogLeaving(runId, member, _progress.Step);
                return;
            }
            catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
            {
                _progress = _progress with { State = MemberState.Cancelled };
                await ReportFinalAsync(run, runId, member);
                return;
            }
            catch (Exception e) when (TransientFaults.IsTransient(e))
            {
                if (_progress.Step > _lastFailedAt)
                {
                    // A step was committed since the last failure: this is a new outage.
                    failingSince = null;
                }

                failingSince ??= DateTime.UtcNow;
                _lastFailedAt = _progress.Step;
                var delay = policy.DelayBefore(attempt);
                if (DateTime.UtcNow + delay - failingSince.Value > policy.Budget)
                {
                    LogFailed(e, runId, member);
                    _progress = _progress with { State = MemberState.Failed, Error = $"{e.Message} (still failing after {policy.Budget.TotalMinutes:0.#} min of retries; 'graphcast resume {runId}' once it is fixed)" };
                    await ReportFinalAsync(run, runId, member);
                    return;
                }

                LogRetrying(e, runId, member, _progress.Step, delay.TotalSeconds);
                _progress = _progress with { Error = $"retrying after a transient failure: {e.Message}" };
                await TryReportAsync(run, token);
                try
                {
                    await Task.Delay(delay, token);
                }
                catch (OperationCanceledException)
                {
                    // Handled by the next attempt's first cancellation check.
                }
            }
            catch (Exception e)
            {
                if (e is MemberDivergedException)
                {
                    LogDiverged(runId, member, e.Message); // The numbers, not the program: no stack trace.
                }
                else
                {
                    LogFailed(e, runId, member);
                }

                _progress = _progress with { State = MemberState.Failed, Error = e.Message };
                await ReportFinalAsync(run, runId, member);
                return;
            }
        }
    }

    /// <summary>
    /// One attempt: model lease, latest valid checkpoint (or the initial condition), then steps to the end (true), or until
    /// <paramref name="drain"/> asks to stop at a step boundary (false; the step reached is then checkpointed).
    /// <paramref name="cancellationToken"/> stops at once.
    /// </summary>
    private async Task<bool> RunAttemptAsync(ForecastSpec spec, string runId, int member, IForecastRunGrain run, CancellationToken cancellationToken, CancellationToken drain)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RolloutCarry? carry = null;
        ModelLease? lease = null;
        GraphCast.Model.Transforms.Params? ownParameters = null;
        try
        {
            lease = await registry.AcquireAsync(spec.Model, cancellationToken);
            var model = lease.Model;
            // A member with perturbed parameters holds its own copy of them: it is counted with each of its steps.
            var ownBytes = spec.ParamPerturbation is null ? 0 : StepMemory.ParameterBytes(model);
            var stepBytes = StepMemory.StepBytes(model) + ownBytes;
            executor.Memory.EnsureFits(spec.Model, StepMemory.ParameterBytes(model), stepBytes);
            var currentLease = lease;
            ownParameters = await executor.RunAsync(() => MemberRollout.OwnParameters(spec, member, currentLease), cancellationToken);
            var outputs = MemberRollout.OutputVariables(spec, model.Task);
            var specHash = SpecHash.Of(spec);
            var device = model.Predictor.Device.ToString();
            var dtype = model.Predictor.Bfloat16 ? "bfloat16" : "float32";
            var latest = await checkpoints.LoadLatestValidAsync(runId, member, specHash, model.Hash, cancellationToken);
            foreach (var rejected in latest.Rejected)
            {
                LogRejected(runId, member, rejected.BlobName, rejected.Reason);
            }

            var frames = model.Task.InputFrames;
            var resumed = latest.Checkpoint;
            var prepared = resumed is null && InitialConditionStore.IsPrepared(spec.InitialCondition)
                ? await initialConditions.ReadAsync(spec, model.Task, model.Latitudes, model.Longitudes, cancellationToken)
                : null;
            carry = resumed is null
                ? await executor.RunAsync(() => MemberRollout.InitialCarry(spec, member, currentLease, prepared), cancellationToken)
                : await executor.RunAsync(
                    () => MemberRollout.FromTensors(resumed.Tensors, frames, resumed.Metadata.Step, spec.InitTime + (model.Task.TimeStep * resumed.Metadata.Step), model.Predictor.Device),
                    cancellationToken);
            _progress = _progress with { Step = carry.Step, ResumedFrom = carry.Step, ModelHash = model.Hash, Device = device, Dtype = dtype };
            if (carry.Step > 0)
            {
                LogResumed(runId, member, carry.Step);
            }

            var total = 0.0;
            var checkpointed = carry.Step;
            var tags = new System.Diagnostics.TagList { { "model", spec.Model }, { "device", device }, { "dtype", dtype } };
            for (var step = carry.Step + 1; step <= spec.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // One span per member step; the compute, chunk and checkpoint writes are its children.
                using var stepActivity = EngineTelemetry.Source.StartActivity("member.step");
                stepActivity?.SetTag("graphcast.run_id", runId);
                stepActivity?.SetTag("graphcast.member", member);
                stepActivity?.SetTag("graphcast.step", step);
                if (drain.IsCancellationRequested)
                {
                    if (checkpointed < carry.Step)
                    {
                        var reached = carry;
                        var state = await executor.RunAsync(() => MemberRollout.ToTensors(reached).ToList(), cancellationToken);
                        await checkpoints.WriteAsync(runId, member, new RolloutCheckpointMetadata(carry.Step, specHash, model.Hash, device, dtype), state, cancellationToken);
                    }

                    return false;
                }

                var due = step % spec.CheckpointEvery == 0 || step == spec.Steps;
                var input = carry;
                var compute = EngineTelemetry.Source.StartActivity("member.compute");
                var (next, output, tensors) = await executor.RunAsync(() =>
                {
                    var (n, o) = MemberRollout.Step(currentLease, input, outputs, ownParameters);
                    return (n, o, due ? MemberRollout.ToTensors(n).ToList() : null);
                }, stepBytes, cancellationToken);
                compute?.Dispose();
                carry.Dispose();
                carry = next;

                // Durable before reported: outputs, then the checkpoint, then progress.
                await forecasts.WriteStepAsync(runId, member, step, output.Variables, cancellationToken);
                await RunStatistics.MemberCommittedAsync(GrainFactory, runId, member, step, cancellationToken);
                if (tensors is not null)
                {
                    await checkpoints.WriteAsync(runId, member, new RolloutCheckpointMetadata(step, specHash, model.Hash, device, dtype), tensors, cancellationToken);
                    checkpointed = step;
                }

                total += output.Seconds;
                EngineTelemetry.MemberSteps.Add(1, tags);
                EngineTelemetry.StepDuration.Record(output.Seconds, tags);
                _progress = _progress with { Step = step, LastStepSeconds = output.Seconds, TotalStepSeconds = total, Error = null };
                DelayDeactivation(TimeSpan.FromMinutes(5));
                try
                {
                    await run.ReportAsync(_progress, cancellationToken);
                }
                catch (Exception e) when (drain.IsCancellationRequested && !cancellationToken.IsCancellationRequested && TransientFaults.IsTransient(e))
                {
                    // Draining, and the run did not answer in time (it may be waiting on this very silo): the step is
                    // committed, and the drain's checkpoint at the top of the loop matters more than this report, which the
                    // member's next activation makes anyway.
                    LogReportLost(e, runId, member, _progress.State);
                }

                NotifyRegions(spec, runId, member, step);
            }

            return true;
        }
        finally
        {
            carry?.Dispose();
            ownParameters?.Dispose();
            lease?.Dispose();
        }
    }

    /// <summary>
    /// Tells the member's forecast regions that <paramref name="step"/> is committed: one-way, so the member never waits for
    /// them, and whatever goes wrong on the way is logged and left (a region catches up from storage at the next step).
    /// </summary>
    private void NotifyRegions(ForecastSpec spec, string runId, int member, int step)
    {
        foreach (var region in spec.RegionNames)
        {
            try
            {
                GrainFactory.GetGrain<IForecastRegionGrain>(IForecastRegionGrain.Key(runId, region, member)).ParentCommittedAsync(spec, step).Ignore();
            }
            catch (Exception e)
            {
                LogRegionNotTold(e, runId, member, region, step);
            }
        }
    }

    /// <summary>A final report (completed, cancelled, failed) has nothing to recompute: it is retried on its own.</summary>
    private async Task ReportFinalAsync(IForecastRunGrain run, string runId, int member)
    {
        try
        {
            await TransientFaults.RetryAsync(
                ct => run.ReportAsync(_progress, ct), engine.Value.RetryPolicy, (e, _, delay) => LogRetrying(e, runId, member, _progress.Step, delay.TotalSeconds), lifetime.ApplicationStopping);
        }
        catch (Exception e) when (TransientFaults.IsTransient(e) || e is OperationCanceledException)
        {
            // The run grain stays unreachable (or this silo is stopping): the run's supervision pokes this member again,
            // and a completed member answers a start with this report.
            LogReportLost(e, runId, member, _progress.State);
        }
    }

    private async Task TryReportAsync(IForecastRunGrain run, CancellationToken cancellationToken)
    {
        try
        {
            await run.ReportAsync(_progress, cancellationToken);
        }
        catch (Exception e) when (TransientFaults.IsTransient(e) || e is OperationCanceledException)
        {
            // Best effort: the retry is what matters.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {RunId}/{Member} completed step {Step}, its last")]
    private partial void LogCompleted(string runId, int member, int step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {RunId}/{Member} could not tell region {Region} that step {Step} is committed; the region catches up at the next step")]
    private partial void LogRegionNotTold(Exception e, string runId, int member, string region, int step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {RunId}/{Member} resumes from step {Step}")]
    private partial void LogResumed(string runId, int member, int step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {RunId}/{Member} skipped checkpoint {Blob}: {Reason}")]
    private partial void LogRejected(string runId, int member, string blob, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {RunId}/{Member} failed: {Reason}")]
    private partial void LogDiverged(string runId, int member, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Member {RunId}/{Member} failed")]
    private partial void LogFailed(Exception e, string runId, int member);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {RunId}/{Member} at step {Step}: transient failure; retrying from the latest checkpoint in {Seconds:0.#} s")]
    private partial void LogRetrying(Exception e, string runId, int member, int step, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {RunId}/{Member} leaves this silo at step {Step}; it resumes from its latest checkpoint where it is re-activated")]
    private partial void LogLeaving(string runId, int member, int step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {RunId}/{Member} waits for silo {Silo}, where it ran, to finish draining it before resuming")]
    private partial void LogWaitingForDrain(string runId, int member, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {RunId}/{Member} drained at step {Step} (committed and checkpointed) as its silo shuts down; it resumes there where it is re-activated")]
    private partial void LogDrained(string runId, int member, int step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {RunId}/{Member}: the {State} report did not reach the run; supervision will ask again")]
    private partial void LogReportLost(Exception e, string runId, int member, MemberState state);
}
