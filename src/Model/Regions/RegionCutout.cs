using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;

namespace GraphCast.Model.Regions;

/// <summary>
/// A cut-out: the parent's fields at the points of a region's grid, copied value for value (no interpolation), so a
/// cut-out equals the parent's slice bit for bit. The region's grid must be on the parent's grid (a cut-out has the
/// parent's resolution and edges on its grid, which <see cref="RegionSpec"/> checks).
/// </summary>
public sealed class RegionCutout
{
    private readonly int[] _rows;
    private readonly int[] _columns;
    private readonly int _parentLatitudes;
    private readonly int _parentLongitudes;

    /// <summary>Locates every point of <paramref name="region"/> on the parent grid.</summary>
    /// <param name="parentLatitudes">[num_lat] the parent's latitudes, degrees, any order.</param>
    /// <param name="parentLongitudes">[num_lon] the parent's longitudes, degrees, any order (wrapped on [0, 360) to match).</param>
    /// <param name="region">The region's grid.</param>
    /// <exception cref="ArgumentException">A region point is not a parent grid point (names it).</exception>
    public RegionCutout(float[] parentLatitudes, float[] parentLongitudes, RegionGrid region)
    {
        ArgumentNullException.ThrowIfNull(parentLatitudes);
        ArgumentNullException.ThrowIfNull(parentLongitudes);
        ArgumentNullException.ThrowIfNull(region);
        Region = region;
        _parentLatitudes = parentLatitudes.Length;
        _parentLongitudes = parentLongitudes.Length;
        var latitudes = region.Float32Latitudes();
        var longitudes = region.Float32Longitudes();
        _rows = latitudes.Select(lat => Find(parentLatitudes, v => v == lat, "latitude", lat, region)).ToArray();
        _columns = longitudes.Select(lon => Find(parentLongitudes, v => Wrap(v) == Wrap(lon), "longitude", lon, region)).ToArray();
        Latitudes = latitudes;
        Longitudes = longitudes;
    }

    public RegionGrid Region { get; }

    /// <summary>[num_lat] the region's latitudes, float32 (as the parent stores its own).</summary>
    public float[] Latitudes { get; }

    /// <summary>[num_lon] the region's longitudes, float32, ascending (may pass 180°).</summary>
    public float[] Longitudes { get; }

    /// <summary>The parent row of each region row.</summary>
    public IReadOnlyList<int> Rows => _rows;

    /// <summary>The parent column of each region column.</summary>
    public IReadOnlyList<int> Columns => _columns;

    /// <summary>
    /// One field <c>[levels, parent lat, parent lon]</c> → <c>[levels, region lat, region lon]</c>, values copied.
    /// </summary>
    public float[] Extract(ReadOnlySpan<float> parentField)
    {
        var parentNodes = _parentLongitudes * (long)ParentLatitudeCount;
        if (parentNodes == 0 || parentField.Length % parentNodes != 0)
        {
            throw new ArgumentException($"A parent field has {parentField.Length} values, not a whole number of {ParentLatitudeCount} × {_parentLongitudes} grids.");
        }

        var levels = (int)(parentField.Length / parentNodes);
        var nLat = _rows.Length;
        var nLon = _columns.Length;
        var result = new float[levels * nLat * nLon];
        for (var level = 0; level < levels; level++)
        {
            var source = parentField.Slice((int)(level * parentNodes), (int)parentNodes);
            var o = level * nLat * nLon;
            for (var i = 0; i < nLat; i++)
            {
                var row = _rows[i] * _parentLongitudes;
                for (var j = 0; j < nLon; j++)
                {
                    result[o + (i * nLon) + j] = source[row + _columns[j]];
                }
            }
        }

        return result;
    }

    /// <summary>Every field of <paramref name="parent"/> cut out onto the region's grid.</summary>
    public GridFields Extract(GridFields parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (parent.Latitudes.Length != ParentLatitudeCount || parent.Longitudes.Length != _parentLongitudes)
        {
            throw new ArgumentException($"The parent's fields are on a {parent.Latitudes.Length} × {parent.Longitudes.Length} grid; this cut-out was built for {ParentLatitudeCount} × {_parentLongitudes}.");
        }

        var result = new GridFields(Latitudes, Longitudes);
        foreach (var name in parent.Names)
        {
            result.Set(name, Extract(parent[name]));
        }

        return result;
    }

    private int ParentLatitudeCount => _parentLatitudes;

    private static int Find(float[] axis, Func<float, bool> match, string what, float value, RegionGrid region)
    {
        var index = Array.FindIndex(axis, v => match(v));
        return index >= 0 ? index
            : throw new ArgumentException($"Region '{region.Spec.Name}': {what} {value}° is not a point of the parent's grid; a cut-out needs its edges on the parent's grid and its resolution.");
    }

    private static float Wrap(float longitude)
    {
        var w = longitude % 360f;
        return w < 0 ? w + 360f : w;
    }
}
