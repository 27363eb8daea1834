using GraphCast.Model.Geometry;

namespace GraphCast.Model.Tests.Geometry;

/// <summary>Grid↔mesh connectivity: grid positions, the grid2mesh radius query and the mesh2grid containing triangles.</summary>
public sealed class GridMeshConnectivityTests
{
    private static readonly IcosahedralMesh M3 = IcosahedralMesh.Hierarchy(3)[^1];
    private static readonly IcosahedralMesh M5 = IcosahedralMesh.Hierarchy(5)[^1];

    [Fact]
    public void Grid_lat_lon_to_cartesian_matches_the_reference_test_values()
    {
        var xyz = GridMeshConnectivity.GridLatLonToCartesian([-45.0, 0.0, 45.0], [0.0, 90.0, 180.0, 270.0]);
        var s = 1 / Math.Sqrt(2);
        double[] expected =
        [
            s, 0, -s, 0, s, -s, -s, 0, -s, 0, -s, -s,
            1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1, 0,
            s, 0, s, 0, s, s, -s, 0, s, 0, -s, s,
        ];
        Assert.Equal(expected.Length, xyz.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(xyz[i] - expected[i], -1e-15, 1e-15);
        }
    }

    [Fact]
    public void Float32_grid_positions_are_unit_vectors_in_lat_major_order()
    {
        var xyz = GridMeshConnectivity.GridLatLonToCartesian([-30f, 60f], [0f, 90f, 200f]);
        Assert.Equal(18, xyz.Length);

        // Node 1·3 + 2 is (lat 60, lon 200).
        var o = 3 * ((1 * 3) + 2);
        Assert.Equal(Math.Cos(200 * Math.PI / 180) * Math.Cos(Math.PI / 3), xyz[o], 6);
        Assert.Equal(Math.Sin(200 * Math.PI / 180) * Math.Cos(Math.PI / 3), xyz[o + 1], 6);
        Assert.Equal(Math.Sin(Math.PI / 3), xyz[o + 2], 6);
    }

    [Fact]
    public void Radius_query_equals_an_all_pairs_search_on_the_reference_smoke_grid()
    {
        // The reference smoke test's grid and mesh: lat = linspace(−75, 75, 6), lon = 0, 30, …, 330, splits 3, radius 0.2.
        var lat = Enumerable.Range(0, 6).Select(i => (float)(-75 + (30 * i))).ToArray();
        var lon = Enumerable.Range(0, 12).Select(j => (float)(30 * j)).ToArray();
        var edges = GridMeshConnectivity.RadiusQuery(lat, lon, M3, 0.2);

        var grid = GridMeshConnectivity.GridLatLonToCartesian(lat, lon);
        var expectedSenders = new List<int>();
        var expectedReceivers = new List<int>();
        for (var g = 0; g < grid.Length / 3; g++)
        {
            for (var m = 0; m < M3.VertexCount; m++)
            {
                if (SquaredChord(grid, g, M3.Vertices, m) <= 0.2 * 0.2)
                {
                    expectedSenders.Add(g);
                    expectedReceivers.Add(m);
                }
            }
        }

        Assert.NotEmpty(expectedSenders);
        Assert.Equal(expectedSenders, edges.Senders);
        Assert.Equal(expectedReceivers, edges.Receivers);
    }

    [Fact]
    public void One_degree_grid_on_M5_connects_every_mesh_node_within_the_reference_radius()
    {
        var (lat, lon) = OneDegreeGrid();
        var radius = GridMeshConnectivity.QueryRadius(M5, 0.6);
        Assert.Equal(0.024802377820014952, radius, 15);

        var edges = GridMeshConnectivity.RadiusQuery(lat, lon, M5, radius);

        // 101,892 edges: computed with scipy's cKDTree.query_ball_point on the reference's float32 grid positions.
        Assert.Equal(101_892, edges.Count);
        Assert.Equal(M5.VertexCount, edges.Receivers.Distinct().Count());

        var grid = GridMeshConnectivity.GridLatLonToCartesian(lat, lon);
        var maxChord = 0.0;
        for (var e = 0; e < edges.Count; e++)
        {
            maxChord = Math.Max(maxChord, Math.Sqrt(SquaredChord(grid, edges.Senders[e], M5.Vertices, edges.Receivers[e])));
            if (e > 0)
            {
                var ordered = edges.Senders[e - 1] < edges.Senders[e]
                    || (edges.Senders[e - 1] == edges.Senders[e] && edges.Receivers[e - 1] < edges.Receivers[e]);
                Assert.True(ordered, $"edge {e} is out of (grid, mesh) order");
            }
        }

        Assert.Equal(0.02479846, maxChord, 8);
    }

    [Fact]
    public void Mesh2grid_gives_three_edges_per_grid_node_from_a_face_that_contains_it()
    {
        var (lat, lon) = OneDegreeGrid();
        var edges = GridMeshConnectivity.ContainingTriangles(lat, lon, M5);
        var gridCount = lat.Length * lon.Length;
        Assert.Equal(3 * gridCount, edges.Count);

        var faceOf = new Dictionary<(int, int, int), int>();
        for (var f = 0; f < M5.FaceCount; f++)
        {
            faceOf[(M5.Faces[3 * f], M5.Faces[(3 * f) + 1], M5.Faces[(3 * f) + 2])] = f;
        }

        var grid = GridMeshConnectivity.GridLatLonToCartesian(lat, lon);
        for (var g = 0; g < gridCount; g++)
        {
            Assert.Equal([g, g, g], edges.Receivers[(3 * g)..((3 * g) + 3)]);
            var corners = (edges.Senders[3 * g], edges.Senders[(3 * g) + 1], edges.Senders[(3 * g) + 2]);
            Assert.True(faceOf.ContainsKey(corners), $"grid node {g} is joined to {corners}, which is not a face in face order");

            // The point lies on the inner side of all three edge planes (up to rounding for points on an edge).
            var v = M5.Vertices;
            var p = new[] { (double)grid[3 * g], grid[(3 * g) + 1], grid[(3 * g) + 2] };
            int[] c = [corners.Item1, corners.Item2, corners.Item3];
            for (var k = 0; k < 3; k++)
            {
                var a = c[k];
                var b = c[(k + 1) % 3];
                var nx = ((double)v[(3 * a) + 1] * v[(3 * b) + 2]) - ((double)v[(3 * a) + 2] * v[(3 * b) + 1]);
                var ny = ((double)v[(3 * a) + 2] * v[3 * b]) - ((double)v[3 * a] * v[(3 * b) + 2]);
                var nz = ((double)v[3 * a] * v[(3 * b) + 1]) - ((double)v[(3 * a) + 1] * v[3 * b]);
                Assert.True((nx * p[0]) + (ny * p[1]) + (nz * p[2]) >= -1e-12, $"grid node {g} lies outside face {corners}");
            }
        }
    }

    [Fact]
    public void Containing_faces_agree_with_an_all_faces_search()
    {
        var lat = Enumerable.Range(0, 37).Select(i => (float)(-90 + (5 * i))).ToArray();
        var lon = Enumerable.Range(0, 72).Select(j => (float)((5 * j) + 2.5)).ToArray();
        var grid = GridMeshConnectivity.GridLatLonToCartesian(lat, lon);
        var faces = GridMeshConnectivity.ContainingFaces(grid, M3);
        for (var g = 0; g < faces.Length; g++)
        {
            var inside = Enumerable.Range(0, M3.FaceCount).Where(f => Contains(M3, f, grid, g)).ToList();
            Assert.Contains(faces[g], inside);
        }
    }

    [Fact]
    public void Radius_query_rejects_a_radius_that_is_not_a_chord()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GridMeshConnectivity.RadiusQuery([0f], [0f], M3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GridMeshConnectivity.RadiusQuery([0f], [0f], M3, 2.5));
    }

    [Fact]
    public void Grid_latitudes_outside_minus_90_to_90_are_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GridMeshConnectivity.ContainingTriangles([95f], [0f], M3));
        Assert.Contains("[-90, 90]", error.Message, StringComparison.Ordinal);
    }

    internal static (float[] Lat, float[] Lon) OneDegreeGrid() =>
        (Enumerable.Range(-90, 181).Select(i => (float)i).ToArray(), Enumerable.Range(0, 360).Select(j => (float)j).ToArray());

    private static double SquaredChord(float[] grid, int g, float[] vertices, int m)
    {
        // Summed as scipy's cKDTree sums it: ((dx² + dy²) + dz²) in float64.
        double dx = (double)vertices[3 * m] - grid[3 * g];
        double dy = (double)vertices[(3 * m) + 1] - grid[(3 * g) + 1];
        double dz = (double)vertices[(3 * m) + 2] - grid[(3 * g) + 2];
        return (dx * dx) + (dy * dy) + (dz * dz);
    }

    private static bool Contains(IcosahedralMesh mesh, int f, float[] grid, int g)
    {
        var v = mesh.Vertices;
        for (var k = 0; k < 3; k++)
        {
            var a = mesh.Faces[(3 * f) + k];
            var b = mesh.Faces[(3 * f) + ((k + 1) % 3)];
            var nx = ((double)v[(3 * a) + 1] * v[(3 * b) + 2]) - ((double)v[(3 * a) + 2] * v[(3 * b) + 1]);
            var ny = ((double)v[(3 * a) + 2] * v[3 * b]) - ((double)v[3 * a] * v[(3 * b) + 2]);
            var nz = ((double)v[3 * a] * v[(3 * b) + 1]) - ((double)v[(3 * a) + 1] * v[3 * b]);
            if ((nx * grid[3 * g]) + (ny * grid[(3 * g) + 1]) + (nz * grid[(3 * g) + 2]) < -1e-12)
            {
                return false;
            }
        }

        return true;
    }
}
