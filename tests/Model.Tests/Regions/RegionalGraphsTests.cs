using GraphCast.Model.Configuration;
using GraphCast.Model.Geometry;
using GraphCast.Model.Regions;

namespace GraphCast.Model.Tests.Regions;

/// <summary>The regional multi-mesh and its grid connectivity: inside the box plus margin, and the global rules restricted.</summary>
public sealed class RegionalGraphsTests
{
    private static readonly TimeSpan SixHours = TimeSpan.FromHours(6);

    [Theory]
    [InlineData(0.25, 6)]
    [InlineData(0.5, 6)]
    [InlineData(1.0, 5)]
    [InlineData(2.0, 4)]
    [InlineData(5.0, 4)]
    [InlineData(10.0, 2)]
    [InlineData(0.1, 6)]
    public void The_mesh_size_follows_the_presets_rule(double resolution, int meshSize) =>
        Assert.Equal(meshSize, RegionalGraphs.MeshSizeFor(resolution));

    [Theory]
    [InlineData("europe:34:70:-10:30:2")]
    [InlineData("pacific:-10:10:170:-170:1")]
    [InlineData("arctic:60:80:-40:40:2")]
    public void Mesh_nodes_and_edges_lie_inside_the_box_plus_margin(string text)
    {
        var spec = RegionSpec.Parse(text, 2.0, SixHours);
        var regional = RegionalGraphs.Build(RegionGrid.Of(spec), 4, 0.6, null);
        var graphs = regional.Graphs;
        var finest = IcosahedralMesh.Hierarchy(4)[^1];
        var (lat, lon) = StructuralFeatures.MeshNodeLatLon(finest.Vertices);

        Assert.Equal(graphs.MeshNodeCount, regional.MeshVertices.Count);
        Assert.InRange(graphs.MeshNodeCount, 10, finest.VertexCount / 4);
        foreach (var v in regional.MeshVertices)
        {
            Assert.True(regional.InDomain(lat[v], lon[v]), $"mesh vertex {v} at ({lat[v]}, {lon[v]}) is outside the domain");
        }

        // Every vertex of the finest mesh inside the domain is a node: the restriction drops nothing.
        var inside = Enumerable.Range(0, finest.VertexCount).Count(v => regional.InDomain(lat[v], lon[v]));
        Assert.Equal(inside, graphs.MeshNodeCount);

        foreach (var (edges, senders, receivers) in new[]
        {
            (graphs.MeshEdges, graphs.MeshNodeCount, graphs.MeshNodeCount),
            (graphs.Grid2MeshEdges, graphs.GridNodeCount, graphs.MeshNodeCount),
            (graphs.Mesh2GridEdges, graphs.MeshNodeCount, graphs.GridNodeCount),
        })
        {
            Assert.True(edges.Count > 0);
            Assert.All(edges.Senders, s => Assert.InRange(s, 0, senders - 1));
            Assert.All(edges.Receivers, r => Assert.InRange(r, 0, receivers - 1));
        }

        // Edges of several levels survive (the multi-mesh's long edges inside the domain), all between domain nodes.
        var multimesh = IcosahedralMesh.Merge(IcosahedralMesh.Hierarchy(4)).Edges();
        var nodes = regional.MeshVertices.ToHashSet();
        var expected = Enumerable.Range(0, multimesh.Count).Count(e => nodes.Contains(multimesh.Senders[e]) && nodes.Contains(multimesh.Receivers[e]));
        Assert.Equal(expected, graphs.MeshEdges.Count);
        Assert.Equal(3 * graphs.GridNodeCount, graphs.Mesh2GridEdges.Count);
    }

    [Fact]
    public void Grid2mesh_keeps_every_edge_the_global_rule_gives_the_regions_grid_points()
    {
        var grid = RegionGrid.Of(RegionSpec.Parse("europe:35:70:-10:30:0.5:3h", 2.0, SixHours));
        var regional = RegionalGraphs.Build(grid, 6, 0.6, null);
        var finest = IcosahedralMesh.Hierarchy(6)[^1];
        var global = GridMeshConnectivity.RadiusQuery(grid.Float32Latitudes(), grid.Float32Longitudes(), finest, GridMeshConnectivity.QueryRadius(finest, 0.6));
        Assert.Equal(global.Count, regional.Graphs.Grid2MeshEdges.Count);
        Assert.Equal(global.Senders, regional.Graphs.Grid2MeshEdges.Senders);
        Assert.Equal(global.Receivers, regional.Graphs.Grid2MeshEdges.Receivers.Select(r => regional.MeshVertices[r]));

        // Mesh2grid: the global containing triangles, mapped to regional nodes.
        var m2g = GridMeshConnectivity.ContainingTriangles(grid.Float32Latitudes(), grid.Float32Longitudes(), finest);
        Assert.Equal(m2g.Senders, regional.Graphs.Mesh2GridEdges.Senders.Select(s => regional.MeshVertices[s]));
        Assert.Equal(71 * 81, regional.Graphs.GridNodeCount);
    }

    [Fact]
    public void A_date_line_box_has_the_same_graphs_as_its_360_degree_shift()
    {
        var a = RegionalGraphs.Build(RegionGrid.Of(RegionSpec.Parse("p:-10:10:170:-170:1", 2.0, SixHours)), 4, 0.6, null);
        var b = RegionalGraphs.Build(RegionGrid.Of(RegionSpec.Parse("p:-10:10:-190:-170:1", 2.0, SixHours)), 4, 0.6, null);
        Assert.Equal(a.MeshVertices, b.MeshVertices);
        Assert.Equal(a.Graphs.MeshEdges.Senders, b.Graphs.MeshEdges.Senders);
        Assert.Equal(a.Graphs.Grid2MeshEdgeFeatures.Values, b.Graphs.Grid2MeshEdgeFeatures.Values);
        Assert.Equal(a.Graphs.Mesh2GridEdgeFeatures.Values, b.Graphs.Mesh2GridEdgeFeatures.Values);
    }
}
