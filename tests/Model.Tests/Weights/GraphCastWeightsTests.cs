using GraphCast.Formats.Npy;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Weights;

/// <summary>Reference-layout GraphCast checkpoints: configuration keys, parameter check by name and shape, load and run.</summary>
public sealed class GraphCastWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GraphCastModelOptions Options => new() { GraphCacheDirectory = Path.Combine(_dir, "graphs") };

    [Fact]
    public void Shapes_only_init_gives_the_reference_tree_without_drawing_random_numbers()
    {
        using var expected = GraphCastModel.ExpectedParameters(Presets.GraphCast025.Model, Presets.GraphCast025.Task);
        Assert.Equal(262, expected.Count);
        Assert.Equal(new long[] { 474, 512 }, expected["grid2mesh_gnn/~_networks_builder/encoder_nodes_grid_nodes_mlp/~/linear_0", "w"].shape);
        Assert.Equal(new long[] { 512, 227 }, expected["mesh2grid_gnn/~_networks_builder/decoder_nodes_grid_nodes_mlp/~/linear_1", "w"].shape);

        // The same tree as a real Init of the tiny configuration, by name and shape.
        using var tiny = GraphCastModel.FromPreset(Presets.Tiny, Options);
        using var tinyExpected = GraphCastModel.ExpectedParameters(Presets.Tiny.Model, Presets.Tiny.Task);
        Assert.Equal(tiny.Params.Keys, tinyExpected.Keys);
        Assert.All(tiny.Params, e => Assert.Equal(e.Value.shape, tinyExpected[e.Key].shape));
    }

    [Fact]
    public void A_checkpoint_round_trips_with_its_configuration_and_runs()
    {
        using var model = GraphCastModel.FromPreset(Presets.Tiny, Options with { Seed = 5 });
        var path = Path.Combine(_dir, "tiny.npz");
        GraphCastWeights.Save(path, model.Params, model.Config, model.Task, "tiny test", "CC BY 4.0");

        using (var raw = GraphCastWeights.Load(path))
        {
            Assert.Equal(model.Config, raw.Model);
            Assert.Equal(model.Task, raw.Task);
            Assert.Equal("tiny test", raw.Description);
            Assert.Equal("CC BY 4.0", raw.License);
            Assert.Empty(raw.UnknownKeys);
            Assert.True(raw.Params.BitEquals(model.Params));
        }

        // The reference keys, as the reference writes them.
        var keys = NpzArchive.Read(path).Keys.ToHashSet();
        Assert.Contains("params:grid2mesh_gnn/~_networks_builder/encoder_edges_grid2mesh_mlp/~/linear_0:w", keys);
        Assert.Contains("model_config:radius_query_fraction_edge_length", keys);
        Assert.DoesNotContain("model_config:mesh2grid_edge_normalization_factor", keys); // None is omitted
        Assert.Contains("task_config:pressure_levels:12", keys);
        Assert.Contains("task_config:input_duration", keys);

        using var loaded = GraphCastModel.FromWeights(path, Options);
        Assert.Equal(model.Hash, loaded.Hash);
        using var scope = torch.NewDisposeScope();
        var g = loaded.Graphs.Spec;
        using var carry = InitialCarry.Analytic(loaded.Predictor.Layout, g.GridLatitudes, g.GridLongitudes, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var forcing = new ComputedForcings(loaded.Predictor.Layout, g.GridLatitudes, g.GridLongitudes).At(new DateTime(2024, 1, 1, 6, 0, 0, DateTimeKind.Utc));
        var a = model.Predictor.Step(model.Params, new StepInputs(carry.Frames, carry.Static, forcing));
        var b = loaded.Predictor.Step(loaded.Params, new StepInputs(carry.Frames, carry.Static, forcing));
        Assert.Equal(a.bytes.ToArray(), b.bytes.ToArray());
    }

    [Fact]
    public void A_mis_shaped_tensor_fails_naming_its_path()
    {
        using var model = GraphCastModel.FromPreset(Presets.Tiny, Options);
        const string Module = "mesh_gnn/~_networks_builder/processor_edges_1_mesh_mlp/~/linear_0";
        using var broken = model.Params.Map(t => t.alias());
        var entries = broken.Select(e => new KeyValuePair<ParamPath, Tensor>(e.Key, e.Key == new ParamPath(Module, "w") ? torch.zeros(96, 31) : e.Value.alias())).ToList();
        using var bad = new Params(entries);
        var path = Path.Combine(_dir, "bad.npz");
        GraphCastWeights.Save(path, bad, model.Config, model.Task, "", "");
        var e = Assert.Throws<ParameterShapeException>(() => GraphCastModel.FromWeights(path, Options));
        Assert.Equal($"{Module}:w", e.Path.ToString());
        Assert.Contains("[96, 31]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[96, 32]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_or_config_key_fails_clearly()
    {
        using var model = GraphCastModel.FromPreset(Presets.Tiny, Options);
        using var partial = model.Params.Where(k => k.Module != "mesh2grid_gnn/~_networks_builder/decoder_nodes_grid_nodes_mlp/~/linear_1");
        var path = Path.Combine(_dir, "partial.npz");
        GraphCastWeights.Save(path, partial, model.Config, model.Task, "", "");
        var e = Assert.Throws<InvalidDataException>(() => GraphCastModel.FromWeights(path, Options));
        Assert.Contains("decoder_nodes_grid_nodes_mlp/~/linear_1", e.Message, StringComparison.Ordinal);

        var noConfig = Path.Combine(_dir, "noconfig.npz");
        NpzArchive.Write(noConfig, ParamsFiles.ToFlat(model.Params));
        var e2 = Assert.Throws<InvalidDataException>(() => GraphCastWeights.Load(noConfig));
        Assert.Contains("model_config", e2.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => GraphCastWeights.Load(Path.Combine(_dir, "nope.npz")));
    }

    [Fact]
    public void A_graphcast_small_checkpoint_loads_by_name_and_shape_and_applies()
    {
        // The published small model's full parameter tree (35,979,347 values) through the reference file format.
        var preset = Presets.GraphCastSmall;
        var path = Path.Combine(_dir, "small.npz");
        using (var random = GraphCastModel.InitParameters(preset.Model, preset.Task, RngKey.FromSeed(9)))
        {
            GraphCastWeights.Save(path, random, preset.Model, preset.Task, "GraphCast_small shapes", "test");
        }

        using var checkpoint = GraphCastWeights.Load(path);
        Assert.Equal(preset.Model, checkpoint.Model);
        Assert.Equal(preset.Task, checkpoint.Task);
        using (var expected = GraphCastModel.ExpectedParameters(checkpoint.Model, checkpoint.Task))
        {
            Assert.Empty(checkpoint.Validate(expected, path));
        }

        Assert.Equal(35_979_347, checkpoint.Params.TotalElements);
        // Parameter shapes do not depend on the grid: apply the loaded parameters on the tiny graph.
        using var predictor = GraphCast.Model.Tests.Predictors.TinyModel.Predictor(checkpoint.Model, checkpoint.Task);
        using var scope = torch.NewDisposeScope();
        var inputs = predictor.ZeroInputs(1);
        var y = predictor.Step(checkpoint.Params, inputs);
        Assert.Equal(new long[] { 684, 1, 83 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }
}
