using GraphCast.Data.Regions;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Geometry;
using GraphCast.Model.Predictors;
using GraphCast.Model.Regions;
using TorchSharp;

namespace GraphCast.Data.Tests.Regions;

/// <summary>The parent's fields on a nest's grid: exact at shared points, linear in time, and the nest's boundary after a step.</summary>
public sealed class ParentFieldInterpolatorTests
{
    [Fact]
    public void At_shared_grid_points_the_interpolated_fields_and_the_nests_boundary_equal_the_parents_exactly()
    {
        var parentSpec = GraphCastGraphSpec.RegularGrid(10.0, 0, 0.6, null);
        var region = RegionSpec.Parse("box:30:60:-20:40:5:3h:1", 10.0, TimeSpan.FromHours(6), RegionModelSource.FromSeed(5));
        using var nest = RegionalModel.Create(region, Presets.Tiny.Model, Presets.Tiny.Task, new GraphCastModelOptions { GraphCacheDirectory = "" });
        var layout = new TaskLayout(nest.Task);
        var targets = layout.Targets.Count;
        var parentLat = parentSpec.GridLatitudes;
        var parentLon = parentSpec.GridLongitudes;
        var parentNodes = parentLat.Length * parentLon.Length;

        using var scope = torch.NewDisposeScope();
        var parentEnd = torch.rand([parentNodes, 1, targets], generator: new torch.Generator(7)).mul_(100);
        var interpolator = new ParentFieldInterpolator(parentLat, parentLon, nest.Grid);
        var onRegion = interpolator.Interpolate(parentEnd);
        Assert.Equal([nest.Grid.NodeCount, 1L, targets], onRegion.shape);

        using var carry = InitialCarry.Analytic(layout, nest.Grid.Float32Latitudes(), nest.Grid.Float32Longitudes(), new DateTime(2024, 6, 3, 0, 0, 0, DateTimeKind.Utc));
        var (step, next) = nest.Advance(carry, new ComputedForcings(layout, nest.Grid.Float32Latitudes(), nest.Grid.Float32Longitudes()), onRegion, onRegion);
        next.Dispose();

        var parent = parentEnd.data<float>().ToArray();
        var interpolated = onRegion.data<float>().ToArray();
        var predicted = step.Predictions.data<float>().ToArray();
        var nLon = nest.Grid.Longitudes.Length;
        var shared = 0;
        var sharedOnBoundary = 0;
        for (var i = 0; i < nest.Grid.Latitudes.Length; i++)
        {
            for (var j = 0; j < nLon; j++)
            {
                var node = (i * nLon) + j;
                var boundary = nest.Grid.IsBoundary(i, j);
                for (var c = 0; c < targets; c++)
                {
                    if (boundary)
                    {
                        Assert.Equal(Bits(interpolated[(node * targets) + c]), Bits(predicted[(node * targets) + c]));
                    }
                }

                var lat = nest.Grid.Latitudes[i];
                var lon = (nest.Grid.Longitudes[j] + 360) % 360;
                if (lat % 10 != 0 || lon % 10 != 0)
                {
                    continue;
                }

                shared++;
                var parentNode = ((int)((lat + 90) / 10) * parentLon.Length) + (int)(lon / 10);
                for (var c = 0; c < targets; c++)
                {
                    Assert.Equal(Bits(parent[(parentNode * targets) + c]), Bits(interpolated[(node * targets) + c]));
                    if (boundary)
                    {
                        Assert.Equal(Bits(parent[(parentNode * targets) + c]), Bits(predicted[(node * targets) + c]));
                    }
                }

                sharedOnBoundary += boundary ? 1 : 0;
            }
        }

        Assert.Equal(4 * 7, shared);
        Assert.Equal(2 * (7 + 2), sharedOnBoundary);
        step.Predictions.Dispose();
    }

    [Fact]
    public void In_time_the_parents_fields_are_linear_between_its_steps_and_exact_at_them()
    {
        using var scope = torch.NewDisposeScope();
        var start = torch.tensor(new[] { 1f, 2f, 280.25f }).reshape(3, 1, 1);
        var end = torch.tensor(new[] { 3f, -2f, 290.75f }).reshape(3, 1, 1);
        Assert.Equal(start.data<float>().ToArray(), ParentFieldInterpolator.InTime(start, end, 0).data<float>().ToArray());
        Assert.Equal(end.data<float>().ToArray(), ParentFieldInterpolator.InTime(start, end, 1).data<float>().ToArray());
        Assert.Equal([2f, 0f, 285.5f], ParentFieldInterpolator.InTime(start, end, 0.5).data<float>().ToArray());
        Assert.Equal([1.5f, 1f, 282.875f], ParentFieldInterpolator.InTime(start, end, 0.25).data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => ParentFieldInterpolator.InTime(start, end, 1.5));
    }

    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);
}
