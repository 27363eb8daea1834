using System.Diagnostics;
using GraphCast.Formats.Npy;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Perturbations;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.InitialConditions;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// The computation of one ensemble member, free of Orleans: its initial condition (analytic state plus the member's
/// perturbation, drawn from (run seed, member) alone), one step at a time, and the conversion of its carry to and from
/// checkpoint tensors. The grain runs these on the silo's compute threads; a bare loop over them is the reference an
/// Orleans run must equal bit for bit.
/// </summary>
public static class MemberRollout
{
    /// <summary>Member <paramref name="member"/>'s random key: a function of (seed, member) only.</summary>
    public static RngKey MemberKey(long seed, int member) => RngKey.FromSeed(seed).Fold((ulong)member);

    /// <summary>
    /// The member's initial carry (step 0): the analytic state, or the run's prepared frames (<paramref name="prepared"/>, read
    /// by <see cref="InitialConditionStore.ReadAsync"/>), plus the member's perturbation.
    /// </summary>
    public static RolloutCarry InitialCarry(ForecastSpec spec, int member, ModelLease lease, IReadOnlyList<GridFields>? prepared = null)
    {
        var model = lease.Model;
        var layout = model.Predictor.Layout;
        RolloutCarry carry;
        if (spec.InitialCondition == "analytic")
        {
            carry = GraphCast.Model.Predictors.InitialCarry.Analytic(layout, model.Latitudes, model.Longitudes, spec.InitTime, perturbation: true, device: model.Predictor.Device);
        }
        else if (InitialConditionStore.IsPrepared(spec.InitialCondition))
        {
            carry = GraphCast.Model.Predictors.InitialCarry.FromFields(
                layout, prepared ?? throw new InvalidOperationException($"Run '{spec.RunId}' starts from a prepared initial condition; read its frames first."),
                spec.InitTime, device: model.Predictor.Device);
        }
        else
        {
            throw new ArgumentException($"Initial condition '{spec.InitialCondition}' is neither 'analytic' nor a prepared one ('{InitialConditionStore.Prefix}…').");
        }

        var p = spec.Perturbation;
        if (p.Kind == PerturbationKind.None || (member == 0 && spec.UnperturbedControl))
        {
            return carry;
        }

        RolloutCarry perturbed;
        using (carry)
        {
            perturbed = InitialPerturbation.Apply(
                carry, layout, model.Predictor.Stats, model.Latitudes, model.Longitudes,
                p.Kind == PerturbationKind.Gaussian ? NoiseKind.Gaussian : NoiseKind.Correlated, p.Amplitude, p.LengthKm,
                MemberKey(spec.Seed, member));
        }

        try
        {
            foreach (var frame in perturbed.Frames)
            {
                RequireFinite(frame, layout.Dynamic, 0, $"the perturbation {p} overflows float32: use an amplitude of about 0.01 to 1 (docs/ensemble-outputs.md)");
            }
        }
        catch
        {
            perturbed.Dispose();
            throw;
        }

        return perturbed;
    }

    /// <summary>
    /// Throws <see cref="MemberDivergedException"/> naming the first variable of <paramref name="layout"/> (the channels of the
    /// last dimension of <paramref name="values"/>) that holds NaN or ±infinity, and how many.
    /// </summary>
    public static void RequireFinite(Tensor values, ChannelLayout layout, int step, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(layout);
        using var scope = torch.NewDisposeScope();
        var bad = values.isfinite().logical_not();
        var total = bad.sum().item<long>();
        if (total == 0)
        {
            return;
        }

        var first = layout.Blocks
            .Select(b => (b.Variable, Count: bad.narrow(-1, b.Offset, b.Count).sum().item<long>()))
            .FirstOrDefault(x => x.Count > 0);
        throw new MemberDivergedException(step, first.Variable ?? "a channel outside the layout", first.Variable is null ? total : first.Count, total, hint);
    }

    /// <summary>
    /// The member's own parameters when the spec perturbs them (<see cref="ForecastSpec.ParamPerturbation"/>): the model's
    /// plus noise drawn from the member's key alone, owned by the caller; null when the member computes with the shared ones
    /// (no parameter perturbation, or the unperturbed control).
    /// </summary>
    public static GraphCast.Model.Transforms.Params? OwnParameters(ForecastSpec spec, int member, ModelLease lease)
    {
        if (spec.ParamPerturbation is null || (member == 0 && spec.UnperturbedControl))
        {
            return null;
        }

        // A stream of its own ("params"), independent of the member's initial-condition noise.
        return ParameterPerturbation.Parse(spec.ParamPerturbation).Apply(lease.Model.Params, MemberKey(spec.Seed, member).Fold(0x706172616D73UL));
    }

    /// <summary>One step: the next carry and the step's outputs as arrays (the caller owns and disposes the new carry).</summary>
    public static (RolloutCarry Next, MemberStepOutput Output) Step(
        ModelLease lease, RolloutCarry carry, IReadOnlyList<string> outputVariables, GraphCast.Model.Transforms.Params? parameters = null)
    {
        var watch = Stopwatch.StartNew();
        var predictor = lease.Model.Predictor;
        var (step, next) = predictor.Advance(parameters ?? lease.Model.Params, carry, lease.Forcings);
        var seconds = watch.Elapsed.TotalSeconds;
        using (step.Predictions)
        {
            try
            {
                // A step that overflowed is not committed: the member stops here as Failed, its forecast never holds NaN.
                RequireFinite(step.Predictions, predictor.Layout.Targets, step.Step);
            }
            catch (MemberDivergedException)
            {
                next.Dispose();
                throw;
            }

            var variables = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var name in outputVariables)
            {
                variables[name] = Field(step.Predictions, predictor.Layout.Targets[name]);
            }

            return (next, new MemberStepOutput(step.Step, step.ValidTime, variables, seconds));
        }
    }

    /// <summary>
    /// Runs member <paramref name="member"/> from its initial condition to the last step in a plain loop on the calling
    /// thread — no Orleans, no storage — handing each step's outputs to <paramref name="onStep"/>: the reference an engine run
    /// must equal bit for bit, and the baseline of the engine benchmark.
    /// </summary>
    public static void RunBare(ForecastSpec spec, int member, ModelLease lease, Action<MemberStepOutput>? onStep = null, IReadOnlyList<GridFields>? prepared = null)
    {
        var outputs = OutputVariables(spec, lease.Model.Task);
        using var parameters = OwnParameters(spec, member, lease);
        var carry = InitialCarry(spec, member, lease, prepared);
        try
        {
            for (var step = 1; step <= spec.Steps; step++)
            {
                var (next, output) = Step(lease, carry, outputs, parameters);
                carry.Dispose();
                carry = next;
                onStep?.Invoke(output);
            }
        }
        finally
        {
            carry.Dispose();
        }
    }

    /// <summary>The output variables of a spec: the listed ones (validated) or every target.</summary>
    public static IReadOnlyList<string> OutputVariables(ForecastSpec spec, TaskConfig task)
    {
        if (spec.OutputVariables.Count == 0)
        {
            return task.TargetVariables.Order(StringComparer.Ordinal).ToArray();
        }

        var unknown = spec.OutputVariables.Where(v => !task.TargetVariables.Contains(v)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Output variable(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} are not predicted by the model. It predicts: {string.Join(", ", task.TargetVariables)}.");
        }

        return spec.OutputVariables.Distinct().ToArray();
    }

    /// <summary>The carry as checkpoint tensors: <c>frame_{i}</c> (oldest first) and <c>static</c>.</summary>
    public static IEnumerable<KeyValuePair<string, NpyArray>> ToTensors(RolloutCarry carry)
    {
        for (var i = 0; i < carry.Frames.Count; i++)
        {
            yield return new($"frame_{i}", TensorConversion.ToNpyArray(carry.Frames[i]));
        }

        yield return new("static", TensorConversion.ToNpyArray(carry.Static));
    }

    /// <summary>The carry back from checkpoint tensors, at the checkpoint's step and valid time.</summary>
    public static RolloutCarry FromTensors(IReadOnlyDictionary<string, NpyArray> tensors, int frames, int step, DateTime time, Device device)
    {
        var list = Enumerable.Range(0, frames).Select(i => tensors.TryGetValue($"frame_{i}", out var a) ? a
            : throw new InvalidDataException($"The checkpoint has no 'frame_{i}' tensor.")).ToArray();
        if (!tensors.TryGetValue("static", out var statics))
        {
            throw new InvalidDataException("The checkpoint has no 'static' tensor.");
        }

        return new RolloutCarry(list.Select(a => TensorConversion.ToTensor(a, device)).ToArray(), TensorConversion.ToTensor(statics, device), time, step);
    }

    /// <summary><c>[num_grid_nodes, 1, channels]</c> slice of a variable → float32 <c>[levels, lat, lon]</c>.</summary>
    private static float[] Field(Tensor predictions, GraphCast.Model.Fields.ChannelBlock block)
    {
        using var scope = torch.NewDisposeScope();
        var slice = predictions.select(1, 0).narrow(1, block.Offset, block.Levels).t().contiguous().cpu();
        return slice.data<float>().ToArray();
    }
}
