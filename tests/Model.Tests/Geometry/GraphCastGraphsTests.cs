using GraphCast.Model.Geometry;

namespace GraphCast.Model.Tests.Geometry;

/// <summary>The bundled graphs of a spec: sizes, normalisation, and the 0.25° counts of the published model.</summary>
public sealed class GraphCastGraphsTests(OneDegreeGraphs oneDegree) : IClassFixture<OneDegreeGraphs>
{
    private const double CheckpointRadiusFraction = 0.5999912857713345;
    private const double CheckpointMesh2GridFactor = 0.6180338738074472;

    [Fact]
    public void One_degree_M5_graphs_have_the_expected_sizes()
    {
        var graphs = oneDegree.Graphs;
        Assert.Equal(181 * 360, graphs.GridNodeCount);
        Assert.Equal(10_242, graphs.MeshNodeCount);
        Assert.Equal(81_900, graphs.MeshEdges.Count);
        Assert.Equal(101_892, graphs.Grid2MeshEdges.Count);
        Assert.Equal(3 * graphs.GridNodeCount, graphs.Mesh2GridEdges.Count);
        Assert.Equal(3 * graphs.GridNodeCount, graphs.GridNodeFeatures.Length);
        Assert.Equal(3 * graphs.MeshNodeCount, graphs.MeshNodeFeatures.Length);
        Assert.Equal(4 * graphs.MeshEdges.Count, graphs.MeshEdgeFeatures.Values.Length);
        Assert.Equal(4 * graphs.Grid2MeshEdges.Count, graphs.Grid2MeshEdgeFeatures.Values.Length);
        Assert.Equal(4 * graphs.Mesh2GridEdges.Count, graphs.Mesh2GridEdgeFeatures.Values.Length);
    }

    [Fact]
    public void Each_graph_is_normalised_as_the_reference_does()
    {
        var graphs = oneDegree.Graphs;
        Assert.Equal(1.0514622, graphs.MeshEdgeFeatures.NormalizationFactor, 1e-6);

        // Grid2mesh: its own longest edge, 0.02479846 as a chord, up to the float32 rounding of the mesh nodes' lat/lon.
        Assert.Equal(0.02479846, graphs.Grid2MeshEdgeFeatures.NormalizationFactor, 1e-6);
        Assert.Equal(1f, MaxDistance(graphs.Grid2MeshEdgeFeatures));
        Assert.Equal(1f, MaxDistance(graphs.MeshEdgeFeatures));

        // Mesh2grid: the checkpoint's factor (the level-1 chord). No grid point is farther from a corner of its
        // triangle than the longest M5 edge, 0.0413373, so the distances stay below 0.0413373 / 0.618.
        Assert.Equal(CheckpointMesh2GridFactor, graphs.Mesh2GridEdgeFeatures.NormalizationFactor);
        Assert.InRange(MaxDistance(graphs.Mesh2GridEdgeFeatures), 0.5 * 0.0413373 / CheckpointMesh2GridFactor, (0.0413373 / CheckpointMesh2GridFactor) + 1e-6);
    }

    [Fact]
    public void Grid_node_features_follow_the_lat_major_node_order()
    {
        var graphs = oneDegree.Graphs;

        // Node (lat index 120, lon index 90) is (30°N, 90°E): [sin 30°, cos 90°, sin 90°].
        var node = (120 * 360) + 90;
        Assert.Equal(0.5, graphs.GridNodeFeatures[3 * node], 1e-7);
        Assert.Equal(0, graphs.GridNodeFeatures[(3 * node) + 1], 1e-7);
        Assert.Equal(1, graphs.GridNodeFeatures[(3 * node) + 2], 1e-7);
    }

    [Fact]
    public void Quarter_degree_M6_grid2mesh_has_the_papers_1618746_edges()
    {
        var spec = GraphCastGraphSpec.RegularGrid(0.25, 6, CheckpointRadiusFraction, CheckpointMesh2GridFactor);
        var finest = IcosahedralMesh.Hierarchy(6)[^1];
        var radius = GridMeshConnectivity.QueryRadius(finest, spec.RadiusQueryFractionEdgeLength);
        var edges = GridMeshConnectivity.RadiusQuery(spec.GridLatitudes, spec.GridLongitudes, finest, radius);
        Assert.Equal(1_038_240, spec.GridNodeCount);
        Assert.Equal(1_618_746, edges.Count);

        var grid = GridMeshConnectivity.GridLatLonToCartesian(spec.GridLatitudes, spec.GridLongitudes);
        var maxChord = 0.0;
        for (var e = 0; e < edges.Count; e++)
        {
            int g = edges.Senders[e], m = edges.Receivers[e];
            double dx = (double)finest.Vertices[3 * m] - grid[3 * g];
            double dy = (double)finest.Vertices[(3 * m) + 1] - grid[(3 * g) + 1];
            double dz = (double)finest.Vertices[(3 * m) + 2] - grid[(3 * g) + 2];
            maxChord = Math.Max(maxChord, Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)));
        }

        // Reference graphcast.md §3: 0.012403675, to about one float32 unit in the last place (9.3e-10 here).
        Assert.Equal(0.012403675, maxChord, 2e-9);
    }

    [Fact]
    public void Quarter_degree_M6_grid2mesh_with_fraction_exactly_0_6_has_1618821_edges()
    {
        var finest = IcosahedralMesh.Hierarchy(6)[^1];
        var spec = GraphCastGraphSpec.RegularGrid(0.25, 6, 0.6, null);
        var edges = GridMeshConnectivity.RadiusQuery(spec.GridLatitudes, spec.GridLongitudes, finest, GridMeshConnectivity.QueryRadius(finest, 0.6));
        Assert.Equal(1_618_821, edges.Count);
    }

    [Fact]
    public void Quarter_degree_M6_mesh2grid_has_3114720_edges()
    {
        var finest = IcosahedralMesh.Hierarchy(6)[^1];
        var spec = GraphCastGraphSpec.RegularGrid(0.25, 6, CheckpointRadiusFraction, CheckpointMesh2GridFactor);
        var edges = GridMeshConnectivity.ContainingTriangles(spec.GridLatitudes, spec.GridLongitudes, finest);
        Assert.Equal(3_114_720, edges.Count);
    }

    [Fact]
    public void Regular_grid_spec_runs_from_the_south_pole_and_from_longitude_0()
    {
        var spec = GraphCastGraphSpec.RegularGrid(0.25, 6, CheckpointRadiusFraction, null);
        Assert.Equal(721, spec.GridLatitudes.Length);
        Assert.Equal(1440, spec.GridLongitudes.Length);
        Assert.Equal((-90f, 90f, 0f, 359.75f), (spec.GridLatitudes[0], spec.GridLatitudes[^1], spec.GridLongitudes[0], spec.GridLongitudes[^1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphCastGraphSpec.RegularGrid(0.7, 6, 0.6, null));
    }

    [Fact]
    public void Specs_are_equal_only_when_every_input_is_equal()
    {
        var a = GraphCastGraphSpec.RegularGrid(1.0, 5, 0.6, 0.618);
        Assert.Equal(a, GraphCastGraphSpec.RegularGrid(1.0, 5, 0.6, 0.618));
        Assert.NotEqual(a, GraphCastGraphSpec.RegularGrid(1.0, 5, 0.6, null));
        Assert.NotEqual(a, GraphCastGraphSpec.RegularGrid(1.0, 4, 0.6, 0.618));
        Assert.NotEqual(a, GraphCastGraphSpec.RegularGrid(1.0, 5, 0.59, 0.618));
        var shifted = a.GridLongitudes.Select(x => x + 0.5f).ToArray();
        Assert.NotEqual(a, new GraphCastGraphSpec(a.GridLatitudes, shifted, 5, 0.6, 0.618));
    }

    private static float MaxDistance(EdgeFeatures features)
    {
        var max = 0f;
        for (var e = 0; e < features.Values.Length; e += 4)
        {
            max = Math.Max(max, features.Values[e]);
        }

        return max;
    }
}
