using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Predictors;

/// <summary>The wrapped GraphCast: parameter layout, residual outputs, bfloat16, and the autoregressive rollout.</summary>
public sealed class GraphCastPredictorTests
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    private static IEnumerable<string> ReferenceModulePaths(int steps)
    {
        const string Mlp = "_mlp";
        const string Ln = "_layer_norm";
        IEnumerable<string> Net(string gnn, IEnumerable<string> blocks) =>
            blocks.Select(b => $"{gnn}/~_networks_builder/{b}");
        IEnumerable<string> Both(string b) => [b + Mlp, b + Ln];
        var g2m = new[] { "encoder_edges_grid2mesh", "encoder_nodes_grid_nodes", "encoder_nodes_mesh_nodes", "processor_edges_0_grid2mesh", "processor_nodes_0_grid_nodes", "processor_nodes_0_mesh_nodes" }.SelectMany(Both);
        var mesh = new[] { "encoder_edges_mesh" }.Concat(Enumerable.Range(0, steps).SelectMany(i => new[] { $"processor_edges_{i}_mesh", $"processor_nodes_{i}_mesh_nodes" })).SelectMany(Both);
        var m2g = new[] { "encoder_edges_mesh2grid", "processor_edges_0_mesh2grid", "processor_nodes_0_grid_nodes", "processor_nodes_0_mesh_nodes" }.SelectMany(Both).Append("decoder_nodes_grid_nodes_mlp");
        return Net("grid2mesh_gnn", g2m).Concat(Net("mesh_gnn", mesh)).Concat(Net("mesh2grid_gnn", m2g));
    }

    [Fact]
    public void The_published_model_has_exactly_the_reference_tensors_by_name_and_shape()
    {
        // Parameter shapes depend on channels, latent size and steps, not on the grid: the 0.25° configuration on the
        // tiny graph has the 0.25° checkpoint's parameter tree.
        var preset = Presets.GraphCast025;
        using var predictor = TinyModel.Predictor(preset.Model, preset.Task);
        using var p = predictor.Init(RngKey.FromSeed(0));

        var expected = new Dictionary<string, long[]>();
        foreach (var module in ReferenceModulePaths(16))
        {
            if (module.EndsWith("_layer_norm", StringComparison.Ordinal))
            {
                expected[$"{module}:scale"] = [512];
                expected[$"{module}:offset"] = [512];
                continue;
            }

            var block = module[(module.LastIndexOf('/') + 1)..];
            long fanIn = block switch
            {
                "encoder_nodes_grid_nodes_mlp" or "encoder_nodes_mesh_nodes_mlp" => 474,
                _ when block.StartsWith("encoder_edges", StringComparison.Ordinal) => 4,
                _ when block.StartsWith("processor_edges", StringComparison.Ordinal) => 1536,
                "processor_nodes_0_grid_nodes_mlp" when module.StartsWith("grid2mesh", StringComparison.Ordinal) => 512,
                "processor_nodes_0_mesh_nodes_mlp" when module.StartsWith("mesh2grid", StringComparison.Ordinal) => 512,
                _ when block.StartsWith("processor_nodes", StringComparison.Ordinal) => 1024,
                _ => 512, // decoder
            };
            long output = block == "decoder_nodes_grid_nodes_mlp" ? 227 : 512;
            expected[$"{module}/~/linear_0:w"] = [fanIn, 512];
            expected[$"{module}/~/linear_0:b"] = [512];
            expected[$"{module}/~/linear_1:w"] = [512, output];
            expected[$"{module}/~/linear_1:b"] = [output];
        }

        Assert.Equal(262, expected.Count);
        var actual = p.ToDictionary(e => e.Key.ToString(), e => e.Value.shape);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected)
        {
            Assert.True(shape.SequenceEqual(actual[key]), $"{key}: expected [{string.Join(", ", shape)}], got [{string.Join(", ", actual[key])}]");
        }

        Assert.Equal(expected.Values.Sum(s => s.Aggregate(1L, (a, b) => a * b)), p.TotalElements);
        Assert.All(p, e => Assert.Equal(ScalarType.Float32, e.Value.dtype));
    }

    [Fact]
    public void A_rollout_of_20_steps_equals_20_single_steps_fed_by_hand_bit_for_bit()
    {
        using var predictor = TinyModel.Predictor();
        using var p = predictor.Init(RngKey.FromSeed(1));
        var layout = predictor.Layout;
        var g = TinyModel.Graphs.Spec;
        using var initial = InitialCarry.Analytic(layout, g.GridLatitudes, g.GridLongitudes, InitTime, batch: 2);
        var forcings = new ComputedForcings(layout, g.GridLatitudes, g.GridLongitudes);

        var rolled = new List<byte[]>();
        foreach (var step in predictor.Rollout(p, initial, 20, forcings))
        {
            Assert.Equal(rolled.Count + 1, step.Step);
            Assert.Equal(InitTime.AddHours(6 * step.Step), step.ValidTime);
            rolled.Add(step.Predictions.bytes.ToArray());
            step.Predictions.Dispose();
        }

        // By hand: build each step's inputs from the previous predictions and the forcings, in the layouts' channel order.
        var frames = initial.Frames.Select(f => f.clone()).ToList();
        var time = InitTime;
        for (var i = 0; i < 20; i++)
        {
            time = time.AddHours(6);
            using var forcing = forcings.At(time);
            using var prediction = predictor.Step(p, new StepInputs(frames, initial.Static, forcing));
            Assert.Equal(rolled[i], prediction.bytes.ToArray());

            var next = torch.zeros_like(frames[^1]);
            foreach (var block in layout.Dynamic.Blocks)
            {
                var source = layout.Targets.Contains(block.Variable)
                    ? prediction.narrow(2, layout.Targets[block.Variable].Offset, block.Levels)
                    : forcing.expand(prediction.shape[0], prediction.shape[1], -1).narrow(2, layout.Forcings[block.Variable].Offset, block.Levels);
                next.narrow(2, block.Offset, block.Levels).copy_(source);
            }

            frames[0].Dispose();
            frames.RemoveAt(0);
            frames.Add(next);
        }

        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void Targets_that_are_inputs_are_predicted_as_residuals_of_the_last_frame()
    {
        // With every parameter zero the network outputs zero: predictions equal the last input frame for targets that
        // are inputs, and the mean (0 with identity statistics) for the operational model's precipitation.
        var task = Presets.Task13PrecipOut;
        using var predictor = TinyModel.Predictor(Presets.Tiny.Model, task);
        using var random = predictor.Init(RngKey.FromSeed(2));
        using var zeros = random.Map(t => torch.zeros_like(t));
        var g = TinyModel.Graphs.Spec;
        using var carry = InitialCarry.Analytic(predictor.Layout, g.GridLatitudes, g.GridLongitudes, InitTime);
        var forcings = new ComputedForcings(predictor.Layout, g.GridLatitudes, g.GridLongitudes);
        using var forcing = forcings.At(InitTime.AddHours(6));
        using var prediction = predictor.Step(zeros, new StepInputs(carry.Frames, carry.Static, forcing));
        var layout = predictor.Layout;
        foreach (var block in layout.Targets.Blocks)
        {
            using var predicted = prediction.narrow(2, block.Offset, block.Levels);
            if (block.Variable == Variables.TotalPrecipitation6h)
            {
                Assert.Equal(0f, predicted.abs().max().item<float>());
                continue;
            }

            using var last = carry.Frames[^1].narrow(2, layout.Dynamic[block.Variable].Offset, block.Levels);
            Assert.Equal(last.contiguous().data<float>().ToArray(), predicted.contiguous().data<float>().ToArray());
        }
    }

    [Fact]
    public void Bfloat16_keeps_float32_parameters_and_stays_close_to_float32()
    {
        using var f32 = TinyModel.Predictor();
        using var bf16 = TinyModel.Predictor(bfloat16: true);
        using var p = f32.Init(RngKey.FromSeed(3));
        var g = TinyModel.Graphs.Spec;
        using var carry = InitialCarry.Analytic(f32.Layout, g.GridLatitudes, g.GridLongitudes, InitTime);
        var forcings = new ComputedForcings(f32.Layout, g.GridLatitudes, g.GridLongitudes);
        using var forcing = forcings.At(InitTime.AddHours(6));
        var inputs = new StepInputs(carry.Frames, carry.Static, forcing);
        using var a = f32.Step(p, inputs);
        using var b = bf16.Step(p, inputs);
        Assert.Equal(ScalarType.Float32, b.dtype);
        Assert.All(p, e => Assert.Equal(ScalarType.Float32, e.Value.dtype));
        // Compare the network's increments (prediction − last input) relative to their own scale.
        using var last = carry.Frames[^1].index_select(2, torch.tensor(f32.Layout.Targets.Blocks
            .SelectMany(bl => Enumerable.Range(0, bl.Levels).Select(k => (long)f32.Layout.Dynamic[bl.Variable].ChannelOf(0, k))).ToArray()));
        using var da = a - last;
        using var db = b - last;
        var relative = (da - db).norm().item<float>() / da.norm().item<float>();
        Assert.InRange(relative, 1e-4, 5e-2);
    }

    [Fact]
    public void Inputs_of_the_wrong_shape_are_rejected_with_the_expected_shape()
    {
        using var predictor = TinyModel.Predictor();
        using var p = predictor.Init(RngKey.FromSeed(0));
        using var scope = torch.NewDisposeScope();
        var inputs = predictor.ZeroInputs(1);
        var bad = inputs with { Forcings = torch.zeros(5, 1, 5) };
        var e = Assert.Throws<ArgumentException>(() => predictor.Step(p, bad));
        Assert.Contains("num_grid_nodes=684", e.Message, StringComparison.Ordinal);
    }
}
