using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Predictors;
using GraphCast.Model.Regions;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;
using GraphCast.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Regions;

/// <summary>The regional nest through the transform: seeded Init, a step with the parent's fields, the boundary overwrite, weights files.</summary>
public sealed class RegionalModelTests
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 0, 0, 0, DateTimeKind.Utc);

    private static RegionSpec Box(string model = "seed:3") =>
        RegionSpec.Parse("box:30:60:0:40:5:3h:1", Presets.Tiny.Model.Resolution, TimeSpan.FromHours(6), RegionModelSource.Parse(model));

    [Fact]
    public void A_nest_has_the_parents_architecture_on_its_own_grid_mesh_and_step()
    {
        using var nest = RegionalModel.Create(Box(), Presets.Tiny.Model, Presets.Tiny.Task, new GraphCastModelOptions { GraphCacheDirectory = "" });
        Assert.Equal(7 * 9, nest.Grid.NodeCount);
        Assert.Equal(4, nest.Config.MeshSize);
        Assert.Equal(Presets.Tiny.Model.LatentSize, nest.Config.LatentSize);
        Assert.Equal(TimeSpan.FromHours(3), nest.Task.TimeStep);
        Assert.Equal(2, nest.Task.InputFrames);
        Assert.Equal((2 * 9) + (2 * 5), nest.BoundaryNodeCount);

        // The grid encoder reads the task's channels plus the parent's start and end fields, plus 3 structural features.
        var layout = new TaskLayout(nest.Task);
        var encoder = nest.Params[new ParamPath("grid2mesh_gnn/~_networks_builder/encoder_nodes_grid_nodes_mlp/~/linear_0", "w")];
        Assert.Equal([layout.InputChannels + (2L * layout.Targets.Count) + 3, Presets.Tiny.Model.LatentSize], encoder.shape);

        using var again = RegionalModel.Create(Box(), Presets.Tiny.Model, Presets.Tiny.Task, new GraphCastModelOptions { GraphCacheDirectory = "" });
        Assert.Equal(nest.Hash, again.Hash);
        using var other = RegionalModel.Create(Box("seed:4"), Presets.Tiny.Model, Presets.Tiny.Task, new GraphCastModelOptions { GraphCacheDirectory = "" });
        Assert.NotEqual(nest.Hash, other.Hash);
    }

    [Fact]
    public void After_a_step_the_boundary_rows_equal_the_parents_fields_and_the_interior_is_the_nests()
    {
        using var nest = RegionalModel.Create(Box(), Presets.Tiny.Model, Presets.Tiny.Task, new GraphCastModelOptions { GraphCacheDirectory = "" });
        var layout = new TaskLayout(nest.Task);
        var lat = nest.Grid.Float32Latitudes();
        var lon = nest.Grid.Float32Longitudes();
        using var carry = InitialCarry.Analytic(layout, lat, lon, InitTime);
        var forcings = new ComputedForcings(layout, lat, lon);
        using var scope = torch.NewDisposeScope();
        var n = nest.Grid.NodeCount;
        var targets = layout.Targets.Count;
        var parentStart = torch.rand([n, 1, targets], generator: new Generator(1)).mul_(10);
        var parentEnd = torch.rand([n, 1, targets], generator: new Generator(2)).mul_(10);

        var (step, next) = nest.Advance(carry, forcings, parentStart, parentEnd);
        using (next)
        {
            Assert.Equal(InitTime.AddHours(3), step.ValidTime);
            var predicted = step.Predictions.data<float>().ToArray();
            var parent = parentEnd.data<float>().ToArray();
            var nLon = nest.Grid.Longitudes.Length;
            var interiorDiffers = 0;
            for (var node = 0; node < n; node++)
            {
                var boundary = nest.Grid.IsBoundary(node / nLon, node % nLon);
                for (var c = 0; c < targets; c++)
                {
                    var same = BitConverter.SingleToInt32Bits(predicted[(node * targets) + c]) == BitConverter.SingleToInt32Bits(parent[(node * targets) + c]);
                    if (boundary)
                    {
                        Assert.True(same, $"boundary node {node} channel {c}");
                    }
                    else if (!same)
                    {
                        interiorDiffers++;
                    }
                }
            }

            Assert.Equal((n - nest.BoundaryNodeCount) * targets, interiorDiffers);

            // The carry's newest frame holds the overwritten predictions, so the boundary feeds the next step.
            var mslp = layout.Targets[Variables.MeanSeaLevelPressure].ChannelOf(0, 0);
            var frameChannel = layout.Dynamic[Variables.MeanSeaLevelPressure].ChannelOf(0, 0);
            Assert.Equal(parent[mslp], next.Frames[^1][0, 0, frameChannel].item<float>());
        }

        step.Predictions.Dispose();
    }

    [Fact]
    public void Weights_load_from_safetensors_by_haiku_name_and_a_wrong_shape_names_the_path_and_both_shapes()
    {
        using var directory = new TemporaryDirectory();
        var options = new GraphCastModelOptions { GraphCacheDirectory = "" };
        using var seeded = RegionalModel.Create(Box(), Presets.Tiny.Model, Presets.Tiny.Task, options);
        var file = Path.Combine(directory.Path, "box.safetensors");
        seeded.Params.SaveSafetensors(file);
        using var loaded = RegionalModel.Create(Box(file), Presets.Tiny.Model, Presets.Tiny.Task, options);
        Assert.Equal(seeded.Hash, loaded.Hash);

        // Weights of the global tiny model do not fit the nest: its grid encoder reads more channels.
        var global = Path.Combine(directory.Path, "global.safetensors");
        using (var parameters = GraphCastModel.InitParameters(Presets.Tiny.Model, Presets.Tiny.Task, RngKey.FromSeed(0)))
        {
            parameters.SaveSafetensors(global);
        }

        var error = Assert.Throws<ParameterShapeException>(() => RegionalModel.Create(Box(global), Presets.Tiny.Model, Presets.Tiny.Task, options));
        var layout = new TaskLayout(Presets.Tiny.Task);
        Assert.Equal(
            $"Parameter 'grid2mesh_gnn/~_networks_builder/encoder_nodes_grid_nodes_mlp/~/linear_0:w' has shape [{layout.InputChannels + 3}, 32] but the model expects [{layout.InputChannels + (2 * layout.Targets.Count) + 3}, 32]. The parameters were made for another configuration: use a checkpoint or Init result of the same model configuration.",
            error.Message);

        var missing = Path.Combine(directory.Path, "none.safetensors");
        var notThere = Assert.Throws<FileNotFoundException>(() => RegionalModel.Create(Box(missing), Presets.Tiny.Model, Presets.Tiny.Task, options));
        Assert.Equal($"Region weights file '{missing}' does not exist: give an existing .safetensors or .npz file, or seed:N.", notThere.Message);
    }
}
