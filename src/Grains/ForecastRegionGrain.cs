using GraphCast.Model.Predictors;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Placement;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// One forecast region of one member: told one-way by its parent member when a step commits, it runs as far as the
/// parent's stored steps reach, reading the parent's fields from the forecast store (never from the member's memory),
/// writing its own forecast (<c>runs/{id}/regions/{name}/forecast.zarr</c>) create-only, and, for a nest, a checkpoint of
/// its carry at each parent step, from which it resumes bit-identically wherever it is activated. Its failures are its
/// own: the parent never waits for it and never hears of it.
/// </summary>
[ComputePlacement]
public sealed partial class ForecastRegionGrain(
    ModelRegistry registry,
    StepExecutor executor,
    RolloutCheckpointStore checkpoints,
    IBlobStore blobs,
    InitialConditionStore initialConditions,
    ILocalSiloDetails silo,
    ComputeLoad load,
    ILogger<ForecastRegionGrain> logger) : Grain, IForecastRegionGrain
{
    private Task? _loop;
    private bool _more;
    private RegionProgress? _progress;

    private (string RunId, string Region, int Member) Identity
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var last = key.LastIndexOf('/');
            var middle = key.LastIndexOf('/', last - 1);
            return (key[..middle], key[(middle + 1)..last], int.Parse(key.AsSpan(last + 1), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public Task ParentCommittedAsync(ForecastSpec spec, int step, CancellationToken cancellationToken = default)
    {
        if (_progress is { State: MemberState.Completed or MemberState.Failed })
        {
            return Task.CompletedTask;
        }

        if (_loop is { IsCompleted: false })
        {
            _more = true;
            return Task.CompletedTask;
        }

        _loop = RunAsync(spec);
        return Task.CompletedTask;
    }

    public Task<RegionProgress> GetProgressAsync(CancellationToken cancellationToken = default)
    {
        var (_, region, member) = Identity;
        return Task.FromResult(_progress ?? new RegionProgress { Region = region, Member = member, State = MemberState.Pending });
    }

    /// <summary>Runs until the stored parent steps are used up; again while notifications arrived meanwhile.</summary>
    private async Task RunAsync(ForecastSpec spec)
    {
        var (runId, region, member) = Identity;
        _progress ??= new RegionProgress { Region = region, Member = member, State = MemberState.Running, Silo = silo.SiloAddress.ToString() };
        using var active = load.Enter(this.GetGrainId());
        do
        {
            _more = false;
            try
            {
                await RunAttemptAsync(spec, runId, region, member);
            }
            catch (Exception e) when (Storage.Faults.TransientFaults.IsTransient(e))
            {
                // The next notification (or activation) resumes from the latest checkpoint.
                LogTransient(e, runId, region, member);
                _progress = _progress with { Error = $"retrying after a transient failure: {e.Message}" };
                return;
            }
            catch (Exception e)
            {
                LogFailed(e, runId, region, member);
                _progress = _progress with { State = MemberState.Failed, Error = e.Message };
                return;
            }
        }
        while (_more && _progress.State == MemberState.Running);
    }

    private async Task RunAttemptAsync(ForecastSpec spec, string runId, string regionName, int member)
    {
        using var lease = await registry.AcquireAsync(spec.Model);
        var parent = lease.Model;
        var region = RegionRollout.Parse(spec, parent.Config, parent.Task).Single(r => r.Name == regionName);
        using var rollout = await executor.RunAsync(() => new RegionRollout(region, parent));
        var outputs = MemberRollout.OutputVariables(spec, parent.Task);
        var parentStore = await ZarrForecastReader.OpenForRunAsync(blobs, runId);
        var writer = await ZarrForecastWriter.CreateAsync(blobs, RunLayout.RegionForecastStore(runId, regionName), rollout.Layout(spec, outputs, ForecastProvenance.Attributes(spec)));
        var parentOutputs = parentStore.Layout.Variables.Select(v => v.Name).ToArray();

        async Task<Dictionary<string, float[]>?> ReadParentAsync(int step)
        {
            var fields = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var name in rollout.Nest is null ? outputs : parentOutputs)
            {
                if (!await parentStore.ChunkExistsAsync(name, member, step - 1))
                {
                    return null;
                }

                fields[name] = await parentStore.ReadChunkAsync(name, member, step - 1);
            }

            return fields;
        }

        if (rollout.Nest is null)
        {
            // A cut-out: each parent step copied; a step already written is a retry (identical bytes) and is skipped.
            for (var p = _progress!.ParentStep + 1; p <= spec.Steps; p++)
            {
                if (await ReadParentAsync(p) is not { } fields)
                {
                    return;
                }

                foreach (var (name, values) in rollout.Cut(fields))
                {
                    await writer.WriteChunkAsync(name, member, p - 1, values);
                }

                _progress = _progress with { ParentStep = p, Step = p, Error = null };
            }

            _progress = _progress with { State = MemberState.Completed };
            return;
        }

        var specHash = SpecHash.Of(spec);
        var prefix = RunLayout.RegionCheckpointPrefix(runId, regionName, member);
        var device = parent.Predictor.Device;
        var latest = await checkpoints.LoadLatestValidUnderAsync(prefix, specHash, rollout.Hash);
        RolloutCarry? carry = null;
        Tensor? start = null;
        try
        {
            var frames = rollout.Nest.Task.InputFrames;
            if (latest.Checkpoint is { } resumed)
            {
                var regionalStep = resumed.Metadata.Step;
                carry = MemberRollout.FromTensors(resumed.Tensors, frames, regionalStep, spec.InitTime + (rollout.Region.Step * regionalStep), device);
                var parentStep = regionalStep / rollout.Ratio;
                start = parentStep == 0
                    ? null
                    : await ReadParentAsync(parentStep) is { } fields ? await executor.RunAsync(() => rollout.OnRegion(rollout.ParentFrame(fields))) : null;
                if (start is null && parentStep > 0)
                {
                    throw new InvalidOperationException($"Region '{regionName}' of member {member} resumes at parent step {parentStep}, whose fields are not in the parent's store.");
                }

                _progress = _progress! with { ParentStep = parentStep, Step = regionalStep, ResumedFrom = regionalStep };
            }

            if (carry is null || start is null)
            {
                var prepared = InitialConditionStore.IsPrepared(spec.InitialCondition)
                    ? await initialConditions.ReadAsync(spec, parent.Task, parent.Latitudes, parent.Longitudes)
                    : null;
                (carry, start) = await executor.RunAsync(() =>
                {
                    using var parentInitial = MemberRollout.InitialCarry(spec, member, lease, prepared);
                    using var targets = rollout.ParentTargetsAtInit(parentInitial);
                    return (carry ?? rollout.InitialCarry(parentInitial), rollout.OnRegion(targets));
                });
            }

            for (var p = (carry.Step / rollout.Ratio) + 1; p <= spec.Steps; p++)
            {
                if (await ReadParentAsync(p) is not { } fields)
                {
                    return;
                }

                var from = start;
                var end = await executor.RunAsync(() => rollout.OnRegion(rollout.ParentFrame(fields)));
                for (var k = 1; k <= rollout.Ratio; k++)
                {
                    var input = carry;
                    var index = k;
                    var (next, output) = await executor.RunAsync(() => rollout.Step(input, from, end, index, outputs));
                    carry.Dispose();
                    carry = next;
                    foreach (var (name, values) in output.Variables)
                    {
                        await writer.WriteChunkAsync(name, member, carry.Step - 1, values);
                    }

                    _progress = _progress! with { Step = carry.Step, LastStepSeconds = output.Seconds, Error = null };
                }

                var reached = carry;
                var tensors = await executor.RunAsync(() => MemberRollout.ToTensors(reached).ToList());
                await checkpoints.WriteUnderAsync(prefix, new RolloutCheckpointMetadata(carry.Step, specHash, rollout.Hash, device.ToString(), "float32"), tensors);
                start.Dispose();
                start = end;
                _progress = _progress! with { ParentStep = p };
            }

            _progress = _progress! with { State = MemberState.Completed };
        }
        finally
        {
            carry?.Dispose();
            start?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Region {Region} of member {RunId}/{Member} failed; its parent is not affected")]
    private partial void LogFailed(Exception e, string runId, string region, int member);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Region {Region} of member {RunId}/{Member}: transient failure; it resumes from its latest checkpoint at the next parent step")]
    private partial void LogTransient(Exception e, string runId, string region, int member);
}
