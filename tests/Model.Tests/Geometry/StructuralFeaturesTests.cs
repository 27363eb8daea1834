using GraphCast.Model.Geometry;

namespace GraphCast.Model.Tests.Geometry;

/// <summary>Node and edge structural features: order, local frame, signs and normalisation.</summary>
public sealed class StructuralFeaturesTests
{
    private const double Deg = Math.PI / 180;

    [Fact]
    public void Node_features_are_sin_lat_cos_lon_sin_lon()
    {
        var f = StructuralFeatures.NodeFeatures([90f, 0f, 30f, -45f], [0f, 90f, 180f, 225f]);
        var s = Math.Sqrt(0.5);
        double[] expected = [1, 1, 0, 0, 0, 1, 0.5, -1, 0, -s, -s, -s];
        Assert.Equal(12, f.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], f[i], 1e-7);
        }
    }

    [Fact]
    public void A_northern_sender_at_the_equator_has_positive_dz_and_no_dy()
    {
        // Receiver (0°, 0°) sits at (1, 0, 0) already; the sender 1° north is (cos 1°, 0, sin 1°).
        var f = Edge(receiverLat: 0, receiverLon: 0, senderLat: 1, senderLon: 0);
        AssertFeatures([2 * Math.Sin(0.5 * Deg), Math.Cos(Deg) - 1, 0, Math.Sin(Deg)], f);
    }

    [Fact]
    public void An_eastern_sender_at_the_equator_has_positive_dy_and_no_dz()
    {
        var f = Edge(receiverLat: 0, receiverLon: 0, senderLat: 0, senderLon: 1);
        AssertFeatures([2 * Math.Sin(0.5 * Deg), Math.Cos(Deg) - 1, Math.Sin(Deg), 0], f);
    }

    [Fact]
    public void The_local_frame_makes_a_northern_neighbour_look_the_same_anywhere()
    {
        // Rotating the receiver (40°N, 100°E) to (1, 0, 0) maps its meridian onto the xz plane.
        var f = Edge(receiverLat: 40, receiverLon: 100, senderLat: 41, senderLon: 100);
        AssertFeatures([2 * Math.Sin(0.5 * Deg), Math.Cos(Deg) - 1, 0, Math.Sin(Deg)], f);
    }

    [Fact]
    public void An_eastern_neighbour_off_the_equator_bends_slightly_north_in_the_local_frame()
    {
        // By hand: R_z(−100°) puts the sender at (cos40 cos1°, cos40 sin1°, sin40); R_y(40°) then gives
        // x = cos²40 cos1° + sin²40, y = cos40 sin1°, z = sin40 cos40 (1 − cos1°); the receiver goes to (1, 0, 0).
        var f = Edge(receiverLat: 40, receiverLon: 100, senderLat: 40, senderLon: 101);
        double c = Math.Cos(40 * Deg), s = Math.Sin(40 * Deg);
        var d = new[] { (c * c * Math.Cos(Deg)) + (s * s) - 1, c * Math.Sin(Deg), s * c * (1 - Math.Cos(Deg)) };
        AssertFeatures([Math.Sqrt((d[0] * d[0]) + (d[1] * d[1]) + (d[2] * d[2])), d[0], d[1], d[2]], f);
        Assert.True(f[3] > 0);
    }

    [Fact]
    public void Without_a_factor_edges_are_scaled_by_their_longest_distance()
    {
        float[] lat = [0f, 2f, 0f];
        float[] lon = [0f, 0f, 1f];
        var edges = new GraphEdges([1, 2, 0], [0, 0, 0]);
        var features = StructuralFeatures.Edges(lat, lon, edges);
        Assert.Equal(2 * Math.Sin(1 * Deg), features.NormalizationFactor, 1e-15);
        Assert.Equal(1f, features.Values[0]);
        Assert.Equal(Math.Sin(0.5 * Deg) / Math.Sin(1 * Deg), features.Values[4], 1e-7);
        Assert.Equal([0f, 0f, 0f, 0f], features.Values[8..12]);
    }

    [Fact]
    public void A_given_factor_is_used_as_is()
    {
        var features = StructuralFeatures.Edges([0f, 1f], [0f, 0f], new GraphEdges([1], [0]), normalizationFactor: 0.5);
        Assert.Equal(0.5, features.NormalizationFactor);
        Assert.Equal(2 * Math.Sin(0.5 * Deg) / 0.5, features.Values[0], 1e-7);
    }

    [Fact]
    public void A_non_positive_factor_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StructuralFeatures.Edges([0f], [0f], new GraphEdges([0], [0]), normalizationFactor: 0));
    }

    [Fact]
    public void Edges_naming_missing_nodes_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => StructuralFeatures.Edges([0f], [0f], new GraphEdges([3], [0])));
        Assert.Contains("sender node 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mesh_node_lat_lon_follow_the_reference_conventions()
    {
        var c = Math.Cos(30 * Deg);
        float[] vertices =
        [
            1f, 0f, 0f,
            0f, -1f, 0f,
            0f, 0f, 1f,
            (float)(c * Math.Cos(-45 * Deg)), (float)(c * Math.Sin(-45 * Deg)), (float)Math.Sin(30 * Deg),
        ];
        var (lat, lon) = StructuralFeatures.MeshNodeLatLon(vertices);
        Assert.Equal([0f, 0f, 90f], lat[..3]);
        Assert.Equal([0f, 270f, 0f], lon[..3]);
        Assert.Equal(30, lat[3], 1e-5);
        Assert.Equal(315, lon[3], 1e-4);
    }

    [Fact]
    public void Multimesh_edges_are_normalised_by_the_level_0_chord()
    {
        var meshes = IcosahedralMesh.Hierarchy(2);
        var multimesh = IcosahedralMesh.Merge(meshes);
        var (lat, lon) = StructuralFeatures.MeshNodeLatLon(multimesh.Vertices);
        var features = StructuralFeatures.Edges(lat, lon, multimesh.Edges());

        // 1.0514622 (the level-0 chord) up to the float32 rounding of the nodes' lat/lon.
        Assert.Equal(1.0514622, features.NormalizationFactor, 1e-6);
        var distances = Enumerable.Range(0, multimesh.Edges().Count).Select(e => features.Values[4 * e]).ToArray();
        Assert.Equal(1f, distances.Max());

        // In the receiver's frame the receiver is (1, 0, 0) and every sender has x = cos(angle) ≤ 1: dx ≤ 0.
        for (var e = 0; e < distances.Length; e++)
        {
            Assert.True(features.Values[(4 * e) + 1] <= 1e-7, $"edge {e} has dx {features.Values[(4 * e) + 1]}");
        }
    }

    private static float[] Edge(float receiverLat, float receiverLon, float senderLat, float senderLon) =>
        StructuralFeatures.Edges([senderLat], [senderLon], [receiverLat], [receiverLon], new GraphEdges([0], [0]), normalizationFactor: 1.0).Values;

    private static void AssertFeatures(double[] expected, float[] actual)
    {
        Assert.Equal(4, actual.Length);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-7);
        }
    }
}
