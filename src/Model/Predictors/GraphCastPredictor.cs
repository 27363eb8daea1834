using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Modules;
using GraphCast.Model.Network;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// GraphCast wrapped as the reference composes it (<c>construct_wrapped_graphcast</c>), in one place:
/// normalisation of inputs and forcings and residual de-normalisation of outputs (<c>InputsAndResiduals</c>, float32),
/// an optional bfloat16 cast of the network with float32 master parameters (<c>Bfloat16Cast</c>), and autoregressive
/// feedback of the input window (<c>autoregressive.Predictor</c>), stepping one step at a time.
/// </summary>
public sealed class GraphCastPredictor : IDisposable
{
    private readonly GraphTensors _graphs;
    private readonly Transformed<StepInputs, Tensor> _step;
    private readonly Tensor _dynamicMean;
    private readonly Tensor _dynamicStd;
    private readonly Tensor _staticMean;
    private readonly Tensor _staticStd;
    private readonly Tensor _forcingMean;
    private readonly Tensor _forcingStd;
    private readonly Tensor _outputScale;
    private readonly Tensor _outputMean;
    private readonly Tensor _residualIndex;
    private readonly Tensor _isResidual;
    private readonly Tensor _nextFrameIndex;
    private readonly Tensor? _conditioningMean;
    private readonly Tensor? _conditioningStd;
    private readonly (int Source, int Offset, int Count)[] _stackPlan;

    /// <param name="model">The architecture.</param>
    /// <param name="task">Inputs, targets, forcings and levels.</param>
    /// <param name="graphs">The three graphs, on <paramref name="device"/>.</param>
    /// <param name="stats">Normalisation statistics.</param>
    /// <param name="bfloat16">Run the network in bfloat16 with float32 master parameters.</param>
    /// <param name="device">Where tensors live and the network runs (CPU when null).</param>
    /// <param name="chunkRows">Rows per chunk of the network's edge and node passes; null → <see cref="DefaultChunkRows"/>.</param>
    /// <param name="cacheStructuralTerms">Keep the terms of the structural features between steps (<see cref="StructuralTermsCache"/>).</param>
    /// <param name="conditioningFrames">Frames of target fields appended to the inputs after the forcings (a regional nest:
    /// 2, the parent's fields at the step's start and end, normalised like the targets); 0 for the global model.</param>
    public GraphCastPredictor(ModelConfig model, TaskConfig task, GraphTensors graphs, NormalizationStats stats, bool bfloat16 = false, Device? device = null, long? chunkRows = null, bool cacheStructuralTerms = true, int conditioningFrames = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(conditioningFrames);
        ConditioningFrames = conditioningFrames;
        model.Validate();
        Model = model;
        Layout = new TaskLayout(task);
        stats.Validate(task);
        Stats = stats;
        Bfloat16 = bfloat16;
        Device = device ?? CPU;
        ChunkRows = chunkRows ?? DefaultChunkRows(Device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ChunkRows, nameof(chunkRows));
        StructuralTerms = cacheStructuralTerms ? new StructuralTermsCache() : null;
        _graphs = graphs;

        var l = Layout;
        using (var scope = torch.NewDisposeScope())
        {
            _dynamicMean = stats.Vector(l.Dynamic, s => s.Mean, Device);
            _dynamicStd = stats.Vector(l.Dynamic, s => s.Stddev, Device);
            _staticMean = stats.Vector(l.Static, s => s.Mean, Device);
            _staticStd = stats.Vector(l.Static, s => s.Stddev, Device);
            _forcingMean = stats.Vector(l.Forcings, s => s.Mean, Device);
            _forcingStd = stats.Vector(l.Forcings, s => s.Stddev, Device);

            // Targets that are inputs: last input + out·diffs_stddev; others: out·stddev + mean.
            var scale = new float[l.Targets.Count];
            var mean = new float[l.Targets.Count];
            var residualIndex = new long[l.Targets.Count];
            var isResidual = new bool[l.Targets.Count];
            foreach (var block in l.Targets.Blocks)
            {
                var s = stats[block.Variable];
                var residual = l.Dynamic.Contains(block.Variable);
                for (var k = 0; k < block.Levels; k++)
                {
                    var c = block.ChannelOf(0, k);
                    scale[c] = residual ? s.DiffsStddev[k] : s.Stddev[k];
                    mean[c] = residual ? 0f : s.Mean[k];
                    isResidual[c] = residual;
                    residualIndex[c] = residual ? l.Dynamic[block.Variable].ChannelOf(0, k) : 0;
                }
            }

            _outputScale = torch.tensor(scale).to(Device);
            _outputMean = torch.tensor(mean).to(Device);
            _residualIndex = torch.tensor(residualIndex).to(Device);
            _isResidual = torch.tensor(isResidual).to(Device);

            // The next frame of each time-dependent input comes from the predictions (targets) or the forcings.
            var next = new long[l.Dynamic.Count];
            foreach (var block in l.Dynamic.Blocks)
            {
                for (var k = 0; k < block.Levels; k++)
                {
                    next[block.ChannelOf(0, k)] = l.Targets.Contains(block.Variable)
                        ? l.Targets[block.Variable].ChannelOf(0, k)
                        : l.Targets.Count + l.Forcings[block.Variable].ChannelOf(0, k);
                }
            }

            _nextFrameIndex = torch.tensor(next).to(Device);
            if (conditioningFrames > 0)
            {
                using var targetMean = stats.Vector(l.Targets, s => s.Mean, Device);
                using var targetStd = stats.Vector(l.Targets, s => s.Stddev, Device);
                _conditioningMean = targetMean.repeat(conditioningFrames);
                _conditioningStd = targetStd.repeat(conditioningFrames);
            }

            foreach (var t in OwnedTensors())
            {
                t.DetachFromDisposeScope();
            }
        }

        // Stacking plan: for each input variable in stacked order, its slices of (frame 0 … frame T-1 | static).
        var frames = task.InputFrames;
        var plan = new List<(int, int, int)>();
        foreach (var block in l.Inputs.Blocks)
        {
            if (l.Static.Contains(block.Variable))
            {
                plan.Add((frames, l.Static[block.Variable].Offset, block.Levels));
            }
            else
            {
                for (var f = 0; f < frames; f++)
                {
                    plan.Add((f, l.Dynamic[block.Variable].Offset, block.Levels));
                }
            }
        }

        _stackPlan = [.. plan];
        _step = Transform.Stateless<StepInputs, Tensor>(OneStep, Device);
    }

    public ModelConfig Model { get; }

    public TaskLayout Layout { get; }

    public NormalizationStats Stats { get; }

    /// <summary>Run the network in bfloat16 (parameters stay float32; grid2mesh aggregation stays float32).</summary>
    public bool Bfloat16 { get; }

    public Device Device { get; }

    /// <summary>Rows per chunk of the network's edge and node passes (<see cref="DeepTypedGraphNetOptions.ChunkRows"/>).</summary>
    public long ChunkRows { get; }

    /// <summary>The structural terms kept between steps for the parameters last used (null when caching is off).</summary>
    public StructuralTermsCache? StructuralTerms { get; }

    public long GridNodeCount => _graphs.GridNodeCount;

    /// <summary>Frames of target fields the step reads after the forcings (<see cref="StepInputs.Conditioning"/>); 0 globally.</summary>
    public int ConditioningFrames { get; }

    /// <summary>
    /// The chunk size that suits a device: on a CPU 4,096 rows keep an MLP's temporaries (8 MB each at latent 512 in
    /// float32) and their working set within the last-level cache; an accelerator wants large kernels, so chunks there
    /// only bound memory (1,048,576 rows).
    /// </summary>
    public static long DefaultChunkRows(Device device) => device.type == DeviceType.CPU ? 4096 : 1 << 20;

    /// <summary>Random parameters for this configuration (the reference's init), from a batch-1 zero input.</summary>
    public Params Init(RngKey rng)
    {
        using var scope = torch.NewDisposeScope();
        return _step.Init(rng, ZeroInputs(1));
    }

    /// <summary>The parameter tree (names and shapes) without initialising values.</summary>
    public Params InitShapes()
    {
        using var scope = torch.NewDisposeScope();
        return _step.InitShapes(ZeroInputs(1));
    }

    /// <summary>One step: predicted targets at the forcings' time, physical units, <c>[num_grid_nodes, batch, target_channels]</c>.</summary>
    public Tensor Step(Params parameters, StepInputs inputs) => _step.Apply(parameters, null, inputs);

    /// <summary>
    /// Advances <paramref name="carry"/> by one step: predicts the next frame and returns it with the new carry (the input
    /// window shifted by one, the oldest frame dropped). The old carry is left as it was; the caller owns both results.
    /// </summary>
    /// <param name="parameters">The model's parameters.</param>
    /// <param name="carry">The input window.</param>
    /// <param name="forcings">Forcings at the step's valid time.</param>
    /// <param name="conditioning">The <see cref="StepInputs.Conditioning"/> of a regional nest (null globally).</param>
    /// <param name="correct">Applied to the predictions before they are returned and fed back (a nest overwrites its boundary zone).</param>
    public (RolloutStep Step, RolloutCarry Next) Advance(Params parameters, RolloutCarry carry, IForcingSource forcings, Tensor? conditioning = null, Func<Tensor, Tensor>? correct = null)
    {
        var validTime = carry.Time + Layout.Task.TimeStep;
        using var scope = torch.NewDisposeScope();
        var forcing = forcings.At(validTime);
        var predictions = Step(parameters, new StepInputs(carry.Frames, carry.Static, forcing, conditioning));
        if (correct is not null)
        {
            using (torch.no_grad())
            {
                predictions = correct(predictions);
            }
        }

        Tensor nextFrame;
        using (torch.no_grad())
        {
            var sources = torch.cat([predictions, forcing.expand(predictions.shape[0], predictions.shape[1], -1)], 2);
            nextFrame = sources.index_select(2, _nextFrameIndex);
        }

        var frames = carry.Frames.Skip(1).Select(f => f.alias()).Append(nextFrame).ToArray();
        var next = new RolloutCarry(frames, carry.Static.alias(), validTime, carry.Step + 1);
        predictions.DetachFromDisposeScope();
        return (new RolloutStep(carry.Step + 1, validTime, predictions), next);
    }

    /// <summary>
    /// Rolls out <paramref name="steps"/> steps from <paramref name="initial"/>, yielding one step at a time and never
    /// holding the trajectory: each yielded step's predictions belong to the caller; intermediate carries are released.
    /// </summary>
    public IEnumerable<RolloutStep> Rollout(Params parameters, RolloutCarry initial, int steps, IForcingSource forcings)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var carry = initial;
        try
        {
            for (var i = 0; i < steps; i++)
            {
                var (step, next) = Advance(parameters, carry, forcings);
                if (!ReferenceEquals(carry, initial))
                {
                    carry.Dispose();
                }

                carry = next;
                yield return step;
            }
        }
        finally
        {
            if (!ReferenceEquals(carry, initial))
            {
                carry.Dispose();
            }
        }
    }

    /// <summary>Inputs of zeros for <paramref name="batch"/> members (shapes only: for Init).</summary>
    public StepInputs ZeroInputs(long batch)
    {
        var n = _graphs.GridNodeCount;
        var frames = Enumerable.Range(0, Layout.Task.InputFrames)
            .Select(_ => torch.zeros([n, batch, Layout.Dynamic.Count], device: Device)).ToArray();
        var conditioning = ConditioningFrames > 0 ? torch.zeros([n, 1, ConditioningFrames * Layout.Targets.Count], device: Device) : null;
        return new StepInputs(frames, torch.zeros([n, 1, Layout.Static.Count], device: Device), torch.zeros([n, 1, Layout.Forcings.Count], device: Device), conditioning);
    }

    public void Dispose()
    {
        StructuralTerms?.Dispose();
        foreach (var t in OwnedTensors())
        {
            t.Dispose();
        }
    }

    private IEnumerable<Tensor> OwnedTensors() =>
        new[]
        {
            _dynamicMean, _dynamicStd, _staticMean, _staticStd, _forcingMean, _forcingStd,
            _outputScale, _outputMean, _residualIndex, _isResidual, _nextFrameIndex, _conditioningMean, _conditioningStd,
        }.OfType<Tensor>();

    /// <summary>The transformed function: normalise, stack, run the network (optionally in bfloat16), de-normalise.</summary>
    private Tensor OneStep(StepInputs inputs)
    {
        var l = Layout;
        var frames = inputs.Frames;
        if (frames.Count != l.Task.InputFrames)
        {
            throw new ArgumentException($"The model reads {l.Task.InputFrames} input frames; {frames.Count} were given.");
        }

        var n = _graphs.GridNodeCount;
        var batch = inputs.Batch;
        CheckShape(frames[^1], n, l.Dynamic.Count, "input frame");
        CheckShape(inputs.Static, n, l.Static.Count, "static fields");
        CheckShape(inputs.Forcings, n, l.Forcings.Count, "forcings");

        // InputsAndResiduals: normalise in float32.
        var inputsTimer = ForwardProfile.Time("predictor/inputs");
        var normalizedFrames = frames.Select(f => f.sub(_dynamicMean).div_(_dynamicStd)).ToArray();
        var normalizedStatic = inputs.Static.sub(_staticMean).div_(_staticStd).expand(n, batch, -1);
        var normalizedForcings = inputs.Forcings.sub(_forcingMean).div_(_forcingStd).expand(n, batch, -1);
        var pieces = new List<Tensor>(_stackPlan.Length + 1);
        foreach (var (source, offset, count) in _stackPlan)
        {
            var from = source < normalizedFrames.Length ? normalizedFrames[source] : normalizedStatic;
            pieces.Add(from.narrow(2, offset, count));
        }

        pieces.Add(normalizedForcings);
        if (ConditioningFrames > 0)
        {
            var conditioning = inputs.Conditioning ?? throw new ArgumentException($"This model reads {ConditioningFrames} frames of the parent's fields (a regional nest); none were given.");
            CheckShape(conditioning, n, ConditioningFrames * l.Targets.Count, "parent fields");
            pieces.Add(conditioning.sub(_conditioningMean!).div_(_conditioningStd!).expand(n, batch, -1));
        }
        else if (inputs.Conditioning is not null)
        {
            throw new ArgumentException("This model reads no parent fields; it is not a regional nest.");
        }

        var stacked = torch.cat(pieces, 2);   // [num_grid_nodes, batch, input_channels]
        inputsTimer.Dispose();

        var network = new GraphCastNetwork(Model, l, _graphs, ChunkRows, StructuralTerms, ConditioningFrames * l.Targets.Count);
        var output = Bfloat16
            ? Transform.WithParameterDtype(ScalarType.BFloat16, () => network.Call(stacked.to(ScalarType.BFloat16))).to(ScalarType.Float32)
            : network.Call(stacked);   // [num_grid_nodes, batch, target_channels], normalised

        using var outputsTimer = ForwardProfile.Time("predictor/outputs");
        var lastInput = frames[^1].index_select(2, _residualIndex);
        var baseline = torch.where(_isResidual, lastInput, _outputMean);
        return output.mul(_outputScale).add_(baseline, Scalars.One);
    }

    private static void CheckShape(Tensor t, long nodes, long channels, string what)
    {
        if (t.dim() != 3 || t.shape[0] != nodes || t.shape[2] != channels)
        {
            throw new ArgumentException($"The {what} must be [num_grid_nodes={nodes}, batch, channels={channels}]; got [{string.Join(", ", t.shape)}].");
        }
    }
}
