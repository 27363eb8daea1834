using System.Globalization;
using GraphCast.Formats.Zarr;
using GraphCast.Model.Predictors;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Placement;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// Replays a member for an audit: the same model, the same step code and the member's own checkpoint (or initial condition)
/// on this compute silo, each recomputed step compared with the chunks the member stored, first difference reported. It reads
/// the run's manifest, never its grain, so auditing a run does not wake it; it writes nothing.
/// </summary>
[ComputePlacement]
public sealed class MemberReplayGrain(
    RunManifestStore manifests,
    ModelRegistry registry,
    StepExecutor executor,
    RolloutCheckpointStore checkpoints,
    InitialConditionStore initialConditions,
    IBlobStore blobs,
    ComputeLoad load) : Grain, IMemberReplayGrain
{
    public async Task<ReplayReport> ReplayAsync(int fromStep, CancellationToken cancellationToken = default)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        var (runId, member) = (key[..slash], int.Parse(key.AsSpan(slash + 1), CultureInfo.InvariantCulture));
        var spec = (await manifests.ReadAsync(runId, cancellationToken)).Status?.Spec
            ?? throw new ArgumentException($"There is no run '{runId}' to replay ('graphcast runs' lists the runs).");
        if (member < 0 || member >= spec.Members)
        {
            throw new ArgumentException($"Run {runId} has members 0 to {spec.Members - 1}, not {member}: give --member in that range.");
        }

        if (fromStep < 0 || fromStep > spec.Steps)
        {
            throw new ArgumentException($"--from-step {fromStep} is outside run {runId}'s steps 0 to {spec.Steps}.");
        }

        var reader = await ZarrForecastReader.OpenForRunAsync(blobs, runId, cancellationToken);
        using var active = load.Enter(this.GetGrainId());
        using var lease = await registry.AcquireAsync(spec.Model, cancellationToken);
        var model = lease.Model;
        var outputs = MemberRollout.OutputVariables(spec, model.Task);
        using var parameters = await executor.RunAsync(() => MemberRollout.OwnParameters(spec, member, lease), cancellationToken);
        RolloutCarry carry;
        if (fromStep == 0)
        {
            var prepared = InitialConditionStore.IsPrepared(spec.InitialCondition)
                ? await initialConditions.ReadAsync(spec, model.Task, model.Latitudes, model.Longitudes, cancellationToken)
                : null;
            carry = await executor.RunAsync(() => MemberRollout.InitialCarry(spec, member, lease, prepared), cancellationToken);
        }
        else
        {
            var steps = await checkpoints.ListStepsAsync(runId, member, cancellationToken);
            if (!steps.Contains(fromStep))
            {
                throw new ArgumentException(steps.Count == 0
                    ? $"Member {member} of run {runId} has no checkpoint: replay it from step 0 (leave out --from-step)."
                    : $"Member {member} of run {runId} has no checkpoint at step {fromStep}; it has checkpoints at steps {string.Join(", ", steps)} (or replay from 0).");
            }

            var checkpoint = await checkpoints.LoadAsync(runId, member, fromStep, cancellationToken);
            if (checkpoint.Metadata.SpecHash != SpecHash.Of(spec) || checkpoint.Metadata.ModelHash != model.Hash)
            {
                throw new ArgumentException(
                    $"Checkpoint {checkpoint.BlobName} was written with spec hash {checkpoint.Metadata.SpecHash} and model hash {checkpoint.Metadata.ModelHash[..12]}, " +
                    $"but the run's spec hash is {SpecHash.Of(spec)} and this silo's {spec.Model} has hash {model.Hash[..12]}: replay on a silo that loads the run's model.");
            }

            carry = await executor.RunAsync(
                () => MemberRollout.FromTensors(checkpoint.Tensors, model.Task.InputFrames, fromStep, spec.InitTime + (model.Task.TimeStep * fromStep), model.Predictor.Device),
                cancellationToken);
        }

        var compared = 0;
        var step = fromStep;
        try
        {
            // Up to the last step the member wrote: an unfinished member is audited as far as it went.
            while (step < spec.Steps && await reader.ChunkExistsAsync(outputs[0], member, step, cancellationToken))
            {
                var input = carry;
                var (next, output) = await executor.RunAsync(() => MemberRollout.Step(lease, input, outputs, parameters), cancellationToken);
                carry.Dispose();
                carry = next;
                step++;
                foreach (var variable in outputs)
                {
                    var difference = await CompareAsync(reader, variable, member, step, output.Variables[variable], cancellationToken);
                    compared++;
                    if (difference is not null)
                    {
                        return new ReplayReport(runId, member, fromStep, step, compared, difference);
                    }
                }
            }
        }
        finally
        {
            carry.Dispose();
        }

        return new ReplayReport(runId, member, fromStep, step, compared, null);
    }

    private static async Task<string?> CompareAsync(ZarrForecastReader reader, string variable, int member, int step, float[] recomputed, CancellationToken cancellationToken)
    {
        byte[] stored;
        try
        {
            stored = await reader.ReadChunkBytesAsync(variable, member, step - 1, cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return FormattableString.Invariant($"step {step}, {variable}: the stored chunk is missing");
        }

        var values = ZarrFormat.Float32Values(stored);
        var differing = 0;
        var largest = 0.0;
        for (var i = 0; i < recomputed.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(values[i]) != BitConverter.SingleToInt32Bits(recomputed[i]))
            {
                differing++;
                largest = Math.Max(largest, Math.Abs((double)values[i] - recomputed[i]));
            }
        }

        return differing == 0 ? null : FormattableString.Invariant(
            $"step {step}, {variable}: {differing} of {recomputed.Length} values differ from the stored chunk (largest difference {largest:G6})");
    }
}
