using GraphCast.Model.Predictors;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Compute;
using GraphCast.Orleans.Grains.Engine;
using GraphCast.Orleans.Grains.Models;
using GraphCast.Orleans.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GraphCast.Orleans.Grains.Grains;

/// <summary>
/// One ensemble member. On start (or any re-activation) it takes the silo's shared model, resumes from its latest valid
/// checkpoint (or builds its perturbed initial condition), then steps: each step runs on the silo's compute threads, its
/// outputs are written (create-only), a checkpoint every K steps, and the committed step is reported to the run. The loop runs
/// beside the grain's turns, so status and cancel calls answer during a run.
/// </summary>
public sealed partial class EnsembleMemberGrain(
    ModelRegistry registry,
    StepExecutor executor,
    CheckpointStore checkpoints,
    IForecastStore forecasts,
    InitialConditionStore initialConditions,
    ILocalSiloDetails silo,
    ILogger<EnsembleMemberGrain> logger) : Grain, IEnsembleMemberGrain
{
    private Task? _loop;
    private CancellationTokenSource? _cancel;
    private bool _restartPending;
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

    public Task StartAsync(ForecastSpec spec, CancellationToken cancellationToken = default)
    {
        if (_loop is { IsCompleted: false })
        {
            // Running: nothing to do. Being cancelled (a resume right after a cancel): chain a fresh loop after the old one
            // without waiting here — the old loop's last report goes to the run grain, which may be the caller.
            if (_cancel is { IsCancellationRequested: true } && !_restartPending)
            {
                _restartPending = true;
                _loop = RestartAfterAsync(_loop, spec);
            }

            return Task.CompletedTask;
        }

        if (_progress.State == MemberState.Completed)
        {
            return this.GrainFactory.GetGrain<IForecastRunGrain>(spec.RunId).ReportAsync(_progress, cancellationToken);
        }

        _loop = StartLoop(spec);
        return Task.CompletedTask;
    }

    private Task StartLoop(ForecastSpec spec)
    {
        var (runId, member) = Identity;
        _cancel = new CancellationTokenSource();
        _progress = new MemberProgress { Member = member, State = MemberState.Running, Silo = silo.SiloAddress.ToString() };
        return RunAsync(spec, runId, member, _cancel.Token);
    }

    private async Task RestartAfterAsync(Task previous, ForecastSpec spec)
    {
        await previous;
        _restartPending = false;
        await StartLoop(spec);
    }

    public Task<MemberProgress> GetProgressAsync(CancellationToken cancellationToken = default) => Task.FromResult(_progress);

    public Task CancelAsync(CancellationToken cancellationToken = default)
    {
        _cancel?.Cancel();
        return Task.CompletedTask;
    }

    private async Task RunAsync(ForecastSpec spec, string runId, int member, CancellationToken cancellationToken)
    {
        var run = GrainFactory.GetGrain<IForecastRunGrain>(runId);
        RolloutCarry? carry = null;
        ModelLease? lease = null;
        try
        {
            lease = await registry.AcquireAsync(spec.Model, cancellationToken);
            var model = lease.Model;
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
            var currentLease = lease;
            var prepared = resumed is null && InitialConditionStore.IsPrepared(spec.InitialCondition)
                ? await initialConditions.ReadAsync(spec, model.Task, model.Latitudes, model.Longitudes, cancellationToken)
                : null;
            carry = resumed is null
                ? await executor.RunAsync(() => MemberRollout.InitialCarry(spec, member, currentLease, prepared), cancellationToken)
                : await executor.RunAsync(
                    () => MemberRollout.FromTensors(resumed.Tensors, frames, resumed.Metadata.Step, spec.InitTime + (model.Task.TimeStep * resumed.Metadata.Step), model.Predictor.Device),
                    cancellationToken);
            _progress = _progress with { Step = carry.Step, ResumedFrom = carry.Step };
            if (carry.Step > 0)
            {
                LogResumed(runId, member, carry.Step);
            }

            var total = 0.0;
            for (var step = carry.Step + 1; step <= spec.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var due = step % spec.CheckpointEvery == 0 || step == spec.Steps;
                var input = carry;
                var (next, output, tensors) = await executor.RunAsync(() =>
                {
                    var (n, o) = MemberRollout.Step(currentLease, input, outputs);
                    return (n, o, due ? MemberRollout.ToTensors(n).ToList() : null);
                }, cancellationToken);
                carry.Dispose();
                carry = next;

                // Durable before reported: outputs, then the checkpoint, then progress.
                await forecasts.WriteStepAsync(runId, member, step, output.Variables, cancellationToken);
                if (tensors is not null)
                {
                    await checkpoints.WriteAsync(runId, member, new CheckpointMetadata(step, specHash, model.Hash, device, dtype), tensors, cancellationToken);
                }

                total += output.Seconds;
                _progress = _progress with { Step = step, LastStepSeconds = output.Seconds, TotalStepSeconds = total };
                DelayDeactivation(TimeSpan.FromMinutes(5));
                await run.ReportAsync(_progress, cancellationToken);
            }

            _progress = _progress with { State = MemberState.Completed };
            await run.ReportAsync(_progress, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _progress = _progress with { State = MemberState.Cancelled };
            await run.ReportAsync(_progress, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogFailed(e, runId, member);
            _progress = _progress with { State = MemberState.Failed, Error = e.Message };
            await run.ReportAsync(_progress, CancellationToken.None);
        }
        finally
        {
            carry?.Dispose();
            lease?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {RunId}/{Member} resumes from step {Step}")]
    private partial void LogResumed(string runId, int member, int step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {RunId}/{Member} skipped checkpoint {Blob}: {Reason}")]
    private partial void LogRejected(string runId, int member, string blob, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Member {RunId}/{Member} failed")]
    private partial void LogFailed(Exception e, string runId, int member);
}
