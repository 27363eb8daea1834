using System.Collections.Concurrent;

namespace GraphCast.Model.Geometry;

/// <summary>
/// GraphCast's structural (position) features (reference <c>model_utils.get_graph_spatial_features</c> and
/// <c>get_bipartite_graph_spatial_features</c> with the flags GraphCast sets): 3 per node, [sin(lat), cos(lon), sin(lon)],
/// and 4 per edge, [|d|, dx, dy, dz] / N with d the sender−receiver displacement in the receiver's local frame.
/// Computed in float64, returned as float32.
/// </summary>
public static class StructuralFeatures
{
    /// <summary>Features per node: sin(lat) (= cos of the colatitude), cos(lon), sin(lon).</summary>
    public const int NodeFeatureCount = 3;

    /// <summary>Features per edge: distance, then the three components of the local displacement.</summary>
    public const int EdgeFeatureCount = 4;

    private const double DegreesToRadians = Math.PI / 180.0;
    private const double RadiansToDegrees = 180.0 / Math.PI;

    /// <summary>Edges per work item when features are computed in parallel.</summary>
    private const int EdgeChunk = 1 << 15;

    /// <summary>
    /// Node features [num_nodes, 3] = [cos θ, cos φ, sin φ] with θ = 90° − lat and φ = lon, i.e. [sin(lat), cos(lon), sin(lon)].
    /// </summary>
    public static float[] NodeFeatures(float[] latitudes, float[] longitudes)
    {
        ValidatePairs(latitudes, longitudes);
        var features = new float[NodeFeatureCount * latitudes.Length];
        for (var i = 0; i < latitudes.Length; i++)
        {
            var theta = (90.0 - latitudes[i]) * DegreesToRadians;
            var phi = longitudes[i] * DegreesToRadians;
            features[3 * i] = (float)Math.Cos(theta);
            features[(3 * i) + 1] = (float)Math.Cos(phi);
            features[(3 * i) + 2] = (float)Math.Sin(phi);
        }

        return features;
    }

    /// <summary>
    /// Edge features [num_edges, 4] = [|d|, dx, dy, dz] / N, where d = R·p_sender − R·p_receiver, p are unit positions
    /// recomputed from lat/lon, and R = R_y(π/2 − θ_r)·R_z(−φ_r) turns the receiver to (1, 0, 0): dx is the radial
    /// (curvature) part, dy points east and dz north. N is <paramref name="normalizationFactor"/> when given, otherwise the
    /// largest |d| of this edge set.
    /// </summary>
    /// <param name="senderLatitudes">[num_sender_nodes] degrees.</param>
    /// <param name="senderLongitudes">[num_sender_nodes] degrees.</param>
    /// <param name="receiverLatitudes">[num_receiver_nodes] degrees.</param>
    /// <param name="receiverLongitudes">[num_receiver_nodes] degrees.</param>
    /// <param name="edges">Senders index the sender nodes, receivers the receiver nodes.</param>
    /// <param name="normalizationFactor">N, or null for the largest edge distance (GraphCast's default).</param>
    public static EdgeFeatures Edges(
        float[] senderLatitudes,
        float[] senderLongitudes,
        float[] receiverLatitudes,
        float[] receiverLongitudes,
        GraphEdges edges,
        double? normalizationFactor = null)
    {
        ValidatePairs(senderLatitudes, senderLongitudes);
        ValidatePairs(receiverLatitudes, receiverLongitudes);
        ArgumentNullException.ThrowIfNull(edges);
        if (normalizationFactor is { } given && !(given > 0 && double.IsFinite(given)))
        {
            throw new ArgumentOutOfRangeException(nameof(normalizationFactor), given, "An edge normalisation factor must be a positive finite number (GraphCast's mesh2grid uses ≈ 0.618).");
        }

        CheckIndices(edges.Senders, senderLatitudes.Length, "sender");
        CheckIndices(edges.Receivers, receiverLatitudes.Length, "receiver");

        var senders = LocalFrames.Of(senderLatitudes, senderLongitudes);
        var receivers = ReferenceEquals(senderLatitudes, receiverLatitudes) && ReferenceEquals(senderLongitudes, receiverLongitudes)
            ? senders
            : LocalFrames.Of(receiverLatitudes, receiverLongitudes);

        var count = edges.Count;
        var features = new float[EdgeFeatureCount * count];
        var ranges = Partitioner.Create(0, count, EdgeChunk);

        var factor = normalizationFactor ?? MaxDistance(senders, receivers, edges, ranges);
        if (!(factor > 0))
        {
            // Only possible when every edge joins a node to itself (or there are no edges): nothing to scale.
            factor = 1.0;
        }

        Parallel.ForEach(ranges, range =>
        {
            Span<double> d = stackalloc double[3];
            for (var e = range.Item1; e < range.Item2; e++)
            {
                Displacement(senders, edges.Senders[e], receivers, edges.Receivers[e], d);
                var distance = Math.Sqrt((d[0] * d[0]) + (d[1] * d[1]) + (d[2] * d[2]));
                features[4 * e] = (float)(distance / factor);
                features[(4 * e) + 1] = (float)(d[0] / factor);
                features[(4 * e) + 2] = (float)(d[1] / factor);
                features[(4 * e) + 3] = (float)(d[2] / factor);
            }
        });

        return new EdgeFeatures(features, factor);
    }

    /// <summary>Edge features of a graph whose senders and receivers are the same node set (the mesh graph).</summary>
    public static EdgeFeatures Edges(float[] latitudes, float[] longitudes, GraphEdges edges, double? normalizationFactor = null) =>
        Edges(latitudes, longitudes, latitudes, longitudes, edges, normalizationFactor);

    /// <summary>
    /// Latitude and longitude (degrees, float32) of mesh vertices [V, 3] as the reference derives them:
    /// φ = atan2(y, x), θ = arccos(z), lon = mod(deg φ, 360) in [0, 360), lat = 90 − deg θ.
    /// </summary>
    public static (float[] Latitudes, float[] Longitudes) MeshNodeLatLon(float[] vertices)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        if (vertices.Length % 3 != 0)
        {
            throw new ArgumentException($"vertices must hold [V, 3] values; got {vertices.Length}.", nameof(vertices));
        }

        var count = vertices.Length / 3;
        var latitudes = new float[count];
        var longitudes = new float[count];
        for (var i = 0; i < count; i++)
        {
            double x = vertices[3 * i], y = vertices[(3 * i) + 1], z = vertices[(3 * i) + 2];
            var phi = Math.Atan2(y, x);

            // The reference takes arccos of the stored (float32) z, assuming unit radius; clamp rounding past ±1.
            var theta = Math.Acos(Math.Clamp(z, -1.0, 1.0));
            latitudes[i] = (float)(90.0 - (theta * RadiansToDegrees));
            longitudes[i] = (float)FloorMod(phi * RadiansToDegrees, 360.0);
        }

        return (latitudes, longitudes);
    }

    /// <summary>Latitude and longitude per grid node [num_lat · num_lon], node index = lat_index · num_lon + lon_index.</summary>
    public static (float[] Latitudes, float[] Longitudes) GridNodeLatLon(float[] latitudes, float[] longitudes)
    {
        ArgumentNullException.ThrowIfNull(latitudes);
        ArgumentNullException.ThrowIfNull(longitudes);
        var nodeLatitudes = new float[latitudes.Length * longitudes.Length];
        var nodeLongitudes = new float[nodeLatitudes.Length];
        for (var i = 0; i < latitudes.Length; i++)
        {
            nodeLatitudes.AsSpan(i * longitudes.Length, longitudes.Length).Fill(latitudes[i]);
            longitudes.CopyTo(nodeLongitudes, i * longitudes.Length);
        }

        return (nodeLatitudes, nodeLongitudes);
    }

    private static double MaxDistance(LocalFrames senders, LocalFrames receivers, GraphEdges edges, OrderablePartitioner<Tuple<int, int>> ranges)
    {
        var max = 0.0;
        var gate = new object();
        Parallel.ForEach(
            ranges,
            () => 0.0,
            (range, _, localMax) =>
            {
                Span<double> d = stackalloc double[3];
                for (var e = range.Item1; e < range.Item2; e++)
                {
                    Displacement(senders, edges.Senders[e], receivers, edges.Receivers[e], d);
                    localMax = Math.Max(localMax, Math.Sqrt((d[0] * d[0]) + (d[1] * d[1]) + (d[2] * d[2])));
                }

                return localMax;
            },
            localMax =>
            {
                lock (gate)
                {
                    max = Math.Max(max, localMax);
                }
            });
        return max;
    }

    /// <summary>d = R_r·p_s − R_r·p_r, rotating both positions (as the reference does) before subtracting.</summary>
    private static void Displacement(LocalFrames senders, int s, LocalFrames receivers, int r, Span<double> d)
    {
        var rotation = receivers.Rotations.AsSpan(9 * r, 9);
        var ps = senders.Positions.AsSpan(3 * s, 3);
        var pr = receivers.Positions.AsSpan(3 * r, 3);
        for (var j = 0; j < 3; j++)
        {
            var sent = (rotation[3 * j] * ps[0]) + (rotation[(3 * j) + 1] * ps[1]) + (rotation[(3 * j) + 2] * ps[2]);
            var received = (rotation[3 * j] * pr[0]) + (rotation[(3 * j) + 1] * pr[1]) + (rotation[(3 * j) + 2] * pr[2]);
            d[j] = sent - received;
        }
    }

    /// <summary>numpy's mod for a positive divisor: the result lies in [0, divisor).</summary>
    private static double FloorMod(double value, double divisor)
    {
        var r = value % divisor;
        return r < 0 ? r + divisor : r == 0 ? 0.0 : r;
    }

    private static void ValidatePairs(float[] latitudes, float[] longitudes)
    {
        ArgumentNullException.ThrowIfNull(latitudes);
        ArgumentNullException.ThrowIfNull(longitudes);
        if (latitudes.Length != longitudes.Length)
        {
            throw new ArgumentException($"Per-node latitudes ({latitudes.Length}) and longitudes ({longitudes.Length}) must have the same length.", nameof(longitudes));
        }
    }

    private static void CheckIndices(int[] indices, int nodeCount, string role)
    {
        foreach (var index in indices)
        {
            if ((uint)index >= (uint)nodeCount)
            {
                throw new ArgumentException($"An edge refers to {role} node {index}, but there are only {nodeCount} {role} nodes.", nameof(indices));
            }
        }
    }

    /// <summary>Per node: unit position p [N, 3] and the rotation R [N, 3, 3] into its local frame, float64.</summary>
    private sealed record LocalFrames(double[] Positions, double[] Rotations)
    {
        public static LocalFrames Of(float[] latitudes, float[] longitudes)
        {
            var count = latitudes.Length;
            var positions = new double[3 * count];
            var rotations = new double[9 * count];
            Parallel.ForEach(Partitioner.Create(0, count, EdgeChunk), range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    var theta = (90.0 - latitudes[i]) * DegreesToRadians;
                    var phi = longitudes[i] * DegreesToRadians;
                    double sinTheta = Math.Sin(theta), cosTheta = Math.Cos(theta);
                    double sinPhi = Math.Sin(phi), cosPhi = Math.Cos(phi);
                    positions[3 * i] = cosPhi * sinTheta;
                    positions[(3 * i) + 1] = sinPhi * sinTheta;
                    positions[(3 * i) + 2] = cosTheta;

                    // R_z(−φ) = [[cφ, sφ, 0], [−sφ, cφ, 0], [0, 0, 1]] moves the node to longitude 0; then
                    // R_y(β) = [[cβ, 0, sβ], [0, 1, 0], [−sβ, 0, cβ]] with β = π/2 − θ moves it to the equator.
                    // sin β = cos θ and cos β = sin θ.
                    var cosBeta = sinTheta;
                    var sinBeta = cosTheta;
                    var o = 9 * i;
                    rotations[o] = cosBeta * cosPhi;
                    rotations[o + 1] = cosBeta * sinPhi;
                    rotations[o + 2] = sinBeta;
                    rotations[o + 3] = -sinPhi;
                    rotations[o + 4] = cosPhi;
                    rotations[o + 5] = 0.0;
                    rotations[o + 6] = -sinBeta * cosPhi;
                    rotations[o + 7] = -sinBeta * sinPhi;
                    rotations[o + 8] = cosBeta;
                }
            });
            return new LocalFrames(positions, rotations);
        }
    }
}
