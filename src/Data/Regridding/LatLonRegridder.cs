namespace GraphCast.Data.Regridding;

/// <summary>
/// Interpolation from one global regular latitude–longitude grid to another (either latitude order, periodic longitude,
/// across the poles), exact for any field that is linear in the Cartesian coordinates x, y, z of the sphere, and the identity
/// where a target point is a source point.
/// </summary>
/// <remarks>
/// <para>
/// A tensor product, like bilinear interpolation: along longitude, then along latitude. Bilinear interpolation in (lat, lon)
/// is not exact for a field linear in x, y, z: on a parallel or a meridian such a field is a + b·cos θ + c·sin θ, which two
/// points cannot determine. Each 1-D factor here is therefore the trigonometric interpolant of that form: through the two
/// bracketing nodes and the next one on the left (weight 1 − t) blended with the one through the two nodes and the next one
/// on the right (weight t), t the fraction of the way across the cell. Each piece reproduces a + b·cos θ + c·sin θ exactly,
/// so the blend does, and the blend is continuous (it equals the node value at either node). The stencil is 4 × 4 points;
/// for smooth fields the error is third order in the spacing, against second order for bilinear.
/// </para>
/// <para>
/// Longitudes must cover the globe at a regular spacing (any start, any order). Across a pole the meridian continues on the
/// opposite meridian: a row at latitude φ is also the row at 180° − φ shifted by 180° in longitude (needs an even number of
/// longitudes), so target latitudes up to ±90° need no pole row in the source. Weights are computed in float64 once per grid
/// pair; fields are summed in float64 and stored as float32.
/// </para>
/// </remarks>
public sealed class LatLonRegridder
{
    private const double Radians = Math.PI / 180.0;

    private readonly (int Row, int Shift, double Weight)[][] _latitudeWeights;
    private readonly (int Column, double Weight)[][] _longitudeWeights;
    private readonly int[] _columnOfSorted;
    private readonly int _sourceLongitudes;

    /// <summary>Precomputes the weights from the source grid to the target grid (all coordinates in degrees).</summary>
    /// <exception cref="ArgumentException">The source grid is not global and regular in longitude, repeats a latitude, or does not reach a target latitude.</exception>
    public LatLonRegridder(IReadOnlyList<double> sourceLatitudes, IReadOnlyList<double> sourceLongitudes, IReadOnlyList<double> targetLatitudes, IReadOnlyList<double> targetLongitudes)
    {
        SourceLatitudes = sourceLatitudes.Count;
        _sourceLongitudes = sourceLongitudes.Count;
        TargetLatitudes = targetLatitudes.Count;
        TargetLongitudes = targetLongitudes.Count;
        var n = sourceLongitudes.Count;
        if (n < 3 || sourceLatitudes.Count < 2)
        {
            throw new ArgumentException($"The source grid has {sourceLatitudes.Count} latitudes × {n} longitudes; regridding needs at least 2 × 3.");
        }

        // Longitudes sorted on [0, 360): they must be regular and global.
        var wrapped = sourceLongitudes.Select(Wrap).ToArray();
        _columnOfSorted = Enumerable.Range(0, n).OrderBy(j => wrapped[j]).ToArray();
        var step = 360.0 / n;
        for (var k = 0; k < n; k++)
        {
            var expected = wrapped[_columnOfSorted[0]] + (k * step);
            if (Math.Abs(wrapped[_columnOfSorted[k]] - expected) > 1e-3 * step)
            {
                throw new ArgumentException(
                    $"The source longitudes are not a global regular grid ({n} points should be {step}° apart around the globe; point {k} is at {wrapped[_columnOfSorted[k]]}°). Regridding needs global data.");
            }
        }

        var lonNodes = _columnOfSorted.Select(j => wrapped[j]).ToArray();
        _longitudeWeights = targetLongitudes.Select(t => LongitudeWeights(lonNodes, Wrap(t))).ToArray();

        // Latitudes ascending, extended across each pole by up to two mirrored rows (shifted half way round in longitude).
        var rows = Enumerable.Range(0, sourceLatitudes.Count).OrderBy(i => sourceLatitudes[i]).ToArray();
        var sortedLat = rows.Select(i => sourceLatitudes[i]).ToArray();
        for (var k = 1; k < sortedLat.Length; k++)
        {
            if (!(sortedLat[k] > sortedLat[k - 1]))
            {
                throw new ArgumentException($"The source latitudes repeat {sortedLat[k]}°; give distinct latitudes.");
            }
        }

        var extended = new List<(double Theta, int Row, int Shift)>();
        var mirror = n % 2 == 0;
        if (mirror)
        {
            // Rows beyond the south pole: −180° − φ for the rows nearest it (the pole row itself is not repeated).
            foreach (var k in new[] { 2, 1 }.Where(k => k < sortedLat.Length))
            {
                var offset = sortedLat[0] == -90.0 ? k : k - 1;
                if (offset < sortedLat.Length && sortedLat[offset] > -90.0)
                {
                    extended.Add((-180.0 - sortedLat[offset], rows[offset], n / 2));
                }
            }
        }

        extended.AddRange(sortedLat.Select((lat, k) => (lat, rows[k], 0)));
        if (mirror)
        {
            var last = sortedLat.Length - 1;
            foreach (var k in new[] { 1, 2 })
            {
                var offset = sortedLat[last] == 90.0 ? last - k : last - k + 1;
                if (offset >= 0 && sortedLat[offset] < 90.0)
                {
                    extended.Add((180.0 - sortedLat[offset], rows[offset], n / 2));
                }
            }
        }

        var thetas = extended.Select(e => e.Theta).ToArray();
        _latitudeWeights = targetLatitudes.Select(t =>
        {
            if (!(t >= thetas[0] && t <= thetas[^1]))
            {
                throw new ArgumentException(
                    $"Target latitude {t}° is outside the source grid's latitudes ({sortedLat[0]}° to {sortedLat[^1]}°); give global data (an even number of longitudes lets the poles be reached).");
            }

            return AxisWeights(thetas, t).Select(w => (extended[w.Node].Row, extended[w.Node].Shift, w.Weight)).ToArray();
        }).ToArray();
    }

    public int SourceLatitudes { get; }

    public int TargetLatitudes { get; }

    public int TargetLongitudes { get; }

    /// <summary>
    /// Interpolates <paramref name="source"/> (<c>[source lat, source lon]</c> in the source orders) to the target grid
    /// (<c>[target lat, target lon]</c> in the target orders).
    /// </summary>
    public float[] Regrid(ReadOnlySpan<float> source)
    {
        if (source.Length != SourceLatitudes * _sourceLongitudes)
        {
            throw new ArgumentException($"A field on the source grid has {SourceLatitudes} × {_sourceLongitudes} values, not {source.Length}.");
        }

        var n = _sourceLongitudes;
        var result = new float[TargetLatitudes * TargetLongitudes];
        for (var i = 0; i < TargetLatitudes; i++)
        {
            var latWeights = _latitudeWeights[i];
            for (var j = 0; j < TargetLongitudes; j++)
            {
                var lonWeights = _longitudeWeights[j];
                var sum = 0.0;
                foreach (var (row, shift, wLat) in latWeights)
                {
                    var inner = 0.0;
                    foreach (var (sorted, wLon) in lonWeights)
                    {
                        inner += wLon * source[(row * n) + _columnOfSorted[(sorted + shift) % n]];
                    }

                    sum += wLat * inner;
                }

                result[(i * TargetLongitudes) + j] = (float)sum;
            }
        }

        return result;
    }

    private static double Wrap(double longitude)
    {
        var w = longitude % 360.0;
        return w < 0 ? w + 360.0 : w;
    }

    /// <summary>Weights over sorted longitude nodes (indices into the sorted order) for a target in [0, 360).</summary>
    private static (int Column, double Weight)[] LongitudeWeights(double[] nodes, double target)
    {
        // Unwrap the nodes so that the target lies within them, with one period of margin on each side.
        var n = nodes.Length;
        var unwrapped = new double[3 * n];
        for (var k = 0; k < 3 * n; k++)
        {
            unwrapped[k] = nodes[k % n] + (360.0 * ((k / n) - 1));
        }

        var weights = AxisWeights(unwrapped, target);
        var merged = new Dictionary<int, double>();
        foreach (var (node, weight) in weights)
        {
            merged[node % n] = merged.GetValueOrDefault(node % n) + weight;
        }

        return merged.Select(e => (e.Key, e.Value)).ToArray();
    }

    /// <summary>
    /// The 1-D weights at <paramref name="target"/> over ascending <paramref name="nodes"/> (degrees): weight 1 on a node the
    /// target equals, otherwise the blend of the left- and right-biased three-point trigonometric interpolants.
    /// </summary>
    private static List<(int Node, double Weight)> AxisWeights(double[] nodes, double target)
    {
        var exact = Array.IndexOf(nodes, target);
        if (exact >= 0)
        {
            return [(exact, 1.0)];
        }

        var i = Array.BinarySearch(nodes, target);
        i = i >= 0 ? i : ~i - 1; // nodes[i] < target < nodes[i + 1]
        System.Diagnostics.Debug.Assert(i >= 0 && i + 1 < nodes.Length, "the target lies within the nodes");
        var t = (target - nodes[i]) / (nodes[i + 1] - nodes[i]);
        var left = i - 1 >= 0;
        var right = i + 2 < nodes.Length;
        var weights = new List<(int, double)>();
        if (!left && !right)
        {
            // Two nodes only: linear interpolation is the best there is.
            return [(i, 1.0 - t), (i + 1, t)];
        }

        var leftShare = left && right ? 1.0 - t : left ? 1.0 : 0.0;
        if (left)
        {
            AddTrigonometric(weights, nodes, [i - 1, i, i + 1], target, leftShare);
        }

        if (right)
        {
            AddTrigonometric(weights, nodes, [i, i + 1, i + 2], target, 1.0 - leftShare);
        }

        return weights;
    }

    /// <summary>
    /// Adds <paramref name="share"/> × the Lagrange weights of the interpolant a + b·cos θ + c·sin θ through three nodes:
    /// ℓ_k(θ) = Π_{m≠k} sin((θ − θ_m)/2) / sin((θ_k − θ_m)/2).
    /// </summary>
    private static void AddTrigonometric(List<(int, double)> weights, double[] nodes, int[] stencil, double target, double share)
    {
        if (share == 0.0)
        {
            return;
        }

        foreach (var k in stencil)
        {
            var w = 1.0;
            foreach (var m in stencil)
            {
                if (m != k)
                {
                    w *= Math.Sin((target - nodes[m]) * Radians / 2) / Math.Sin((nodes[k] - nodes[m]) * Radians / 2);
                }
            }

            weights.Add((k, share * w));
        }
    }
}
