using GraphCast.Model.Geometry;

namespace GraphCast.Model.Tests.Geometry;

/// <summary>The icosahedral mesh hierarchy reproduces the reference's vertices, faces, sizes and edges.</summary>
public sealed class IcosahedralMeshTests
{
    private static readonly IReadOnlyList<IcosahedralMesh> Levels = IcosahedralMesh.Hierarchy(6);

    [Fact]
    public void Hierarchy_has_10_4k_plus_2_vertices_and_20_4k_faces_per_level()
    {
        Assert.Equal(7, Levels.Count);
        for (var k = 0; k <= 6; k++)
        {
            var fourK = 1 << (2 * k);
            Assert.Equal((10 * fourK) + 2, Levels[k].VertexCount);
            Assert.Equal(20 * fourK, Levels[k].FaceCount);
        }
    }

    [Fact]
    public void Each_level_keeps_the_previous_vertices_as_an_exact_prefix()
    {
        for (var k = 0; k < 6; k++)
        {
            var coarse = Levels[k].Vertices;
            Assert.True(Levels[k + 1].Vertices.AsSpan(0, coarse.Length).SequenceEqual(coarse), $"level {k} is not a prefix of level {k + 1}");
        }
    }

    [Fact]
    public void All_vertices_have_unit_norm()
    {
        foreach (var mesh in Levels)
        {
            var v = mesh.Vertices;
            for (var i = 0; i < mesh.VertexCount; i++)
            {
                var norm = Math.Sqrt(((double)v[3 * i] * v[3 * i]) + ((double)v[(3 * i) + 1] * v[(3 * i) + 1]) + ((double)v[(3 * i) + 2] * v[(3 * i) + 2]));
                Assert.InRange(norm, 1 - 1e-6, 1 + 1e-6);
            }
        }
    }

    [Fact]
    public void Faces_are_counter_clockwise_seen_from_outside()
    {
        // As the reference test: normalised (v1 − v0) × (v2 − v1) · normalised face centre ≈ 1 (atol 6e-4).
        foreach (var mesh in Levels)
        {
            var v = mesh.Vertices;
            for (var f = 0; f < mesh.FaceCount; f++)
            {
                var p = new double[3][];
                for (var c = 0; c < 3; c++)
                {
                    var i = mesh.Faces[(3 * f) + c];
                    p[c] = [v[3 * i], v[(3 * i) + 1], v[(3 * i) + 2]];
                }

                var a = Sub(p[1], p[0]);
                var b = Sub(p[2], p[1]);
                var normal = Normalize([(a[1] * b[2]) - (a[2] * b[1]), (a[2] * b[0]) - (a[0] * b[2]), (a[0] * b[1]) - (a[1] * b[0])]);
                var centre = Normalize([p[0][0] + p[1][0] + p[2][0], p[0][1] + p[1][1] + p[2][1], p[0][2] + p[1][2] + p[2][2]]);
                var dot = (normal[0] * centre[0]) + (normal[1] * centre[1]) + (normal[2] * centre[2]);
                Assert.InRange(dot, 1 - 6e-4, 1 + 6e-4);
            }
        }
    }

    [Fact]
    public void Icosahedron_vertices_are_the_rotated_reference_vertices_in_float32()
    {
        // Reference graphcast.md §1.2 (shortest float32 representations).
        float[] expected =
        [
            0.49112344f, 0.8506508f, 0.18759246f,
            -0.303531f, 0.5257311f, 0.7946544f,
            0.607062f, 0f, 0.7946544f,
            0.49112344f, -0.8506508f, 0.18759246f,
            0.303531f, 0.5257311f, -0.7946544f,
            -0.98224694f, 0f, 0.18759246f,
            -0.49112344f, 0.8506508f, -0.18759246f,
            -0.303531f, -0.5257311f, 0.7946544f,
            0.98224694f, 0f, -0.18759246f,
            -0.49112344f, -0.8506508f, -0.18759246f,
            0.303531f, -0.5257311f, -0.7946544f,
            -0.607062f, 0f, -0.7946544f,
        ];
        var icosahedron = IcosahedralMesh.Icosahedron();
        Assert.Equal(expected, icosahedron.Vertices);
        Assert.Equal([0, 1, 2, 0, 6, 1, 8, 0, 2], icosahedron.Faces[..9]);
        Assert.Equal([1, 6, 5], icosahedron.Faces[^3..]);
    }

    [Fact]
    public void First_split_appends_midpoints_in_reference_order_with_reference_child_faces()
    {
        var level1 = Levels[1];

        // Reference graphcast.md §1.2, given to 8 significant digits (so within 5e-9 of the float32 values).
        double[] expected =
        [
            0.11026409, 0.80901706, 0.57735026,
            0.17841105, 0.30901697, 0.93417233,
            0.64549726, 0.50000006, 0.57735026,
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], level1.Vertices[(3 * 12) + i], 5e-9);
        }

        Assert.Equal([0, 12, 14, 12, 1, 13, 14, 13, 2, 12, 13, 14], level1.Faces[..12]);
    }

    [Fact]
    public void Faces_to_edges_lists_first_second_and_third_corners_in_blocks()
    {
        var edges = IcosahedralMesh.FacesToEdges([0, 1, 2, 3, 4, 5]);
        Assert.Equal([0, 3, 1, 4, 2, 5], edges.Senders);
        Assert.Equal([1, 4, 2, 5, 0, 3], edges.Receivers);
    }

    [Theory]
    [InlineData(0, 1.0514622)]
    [InlineData(1, 0.6180341)]
    [InlineData(2, 0.3249198)]
    [InlineData(3, 0.1646472)]
    [InlineData(4, 0.0826040)]
    [InlineData(5, 0.0413373)]
    [InlineData(6, 0.0206731)]
    public void Max_edge_chord_per_level_matches_the_reference_table(int level, double expected)
    {
        // Reference graphcast.md §3, given to 7 decimals.
        Assert.Equal(expected, Levels[level].MaxEdgeChord(), 7);
    }

    [Fact]
    public void Merge_keeps_the_finest_vertices_and_concatenates_faces_coarse_first()
    {
        var merged = IcosahedralMesh.Merge(Levels.Take(4).ToList());
        Assert.Same(Levels[3].Vertices, merged.Vertices);
        Assert.Equal(Levels.Take(4).SelectMany(m => m.Faces), merged.Faces);
    }

    [Fact]
    public void Splitting_an_open_mesh_is_refused()
    {
        var triangle = new IcosahedralMesh([1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], [0, 1, 2]);
        var error = Assert.Throws<InvalidOperationException>(triangle.Split);
        Assert.Contains("closed meshes only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Faces_naming_missing_vertices_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new IcosahedralMesh([1f, 0f, 0f], [0, 0, 1]));
    }

    [Fact]
    public void Merge_rejects_meshes_out_of_order()
    {
        Assert.Throws<ArgumentException>(() => IcosahedralMesh.Merge([Levels[2], Levels[1]]));
    }

    [Fact]
    public void Multimesh_M6_has_40962_nodes_and_327660_distinct_directed_edges_in_both_directions()
    {
        var multimesh = IcosahedralMesh.Merge(Levels);
        var edges = multimesh.Edges();
        Assert.Equal(40_962, multimesh.VertexCount);
        Assert.Equal(327_660, edges.Count);

        // Sorted (sender, receiver) keys: no key repeats, and every reversed key is present.
        var keys = new long[edges.Count];
        for (var e = 0; e < edges.Count; e++)
        {
            keys[e] = ((long)edges.Senders[e] << 32) | (uint)edges.Receivers[e];
        }

        Array.Sort(keys);
        for (var k = 1; k < keys.Length; k++)
        {
            Assert.True(keys[k - 1] != keys[k], "edges from different levels never coincide");
        }

        for (var e = 0; e < edges.Count; e++)
        {
            var reversed = ((long)edges.Receivers[e] << 32) | (uint)edges.Senders[e];
            Assert.True(Array.BinarySearch(keys, reversed) >= 0, $"edge {e} has no reverse edge");
        }
    }

    private static double[] Sub(double[] a, double[] b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

    private static double[] Normalize(double[] a)
    {
        var n = Math.Sqrt((a[0] * a[0]) + (a[1] * a[1]) + (a[2] * a[2]));
        return [a[0] / n, a[1] / n, a[2] / n];
    }
}
