using GraphCast.Model.Configuration;

namespace GraphCast.Model.Regions;

/// <summary>
/// The regular latitude/longitude grid of a <see cref="RegionSpec"/>: latitudes ascending from Lat0 to Lat1 and longitudes
/// ascending from Lon0 to Lon1 (both edges included), every coordinate the nearest double to edge + k·resolution computed in
/// decimal (so 0.1° grids have no drift). Node index = lat_index · num_lon + lon_index, as on the global grid.
/// </summary>
public sealed class RegionGrid
{
    private RegionGrid(RegionSpec spec, double[] latitudes, double[] longitudes)
    {
        Spec = spec;
        Latitudes = latitudes;
        Longitudes = longitudes;
    }

    public RegionSpec Spec { get; }

    /// <summary>[num_lat] degrees, ascending (do not modify).</summary>
    public double[] Latitudes { get; }

    /// <summary>[num_lon] degrees, ascending from Lon0 in [−180, 180), possibly past 180 (do not modify).</summary>
    public double[] Longitudes { get; }

    public int NodeCount => Latitudes.Length * Longitudes.Length;

    /// <summary>The grid of <paramref name="spec"/>.</summary>
    public static RegionGrid Of(RegionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new RegionGrid(spec, Axis(spec.Lat0, spec.Resolution, spec.LatitudeCount), Axis(spec.Lon0, spec.Resolution, spec.LongitudeCount));
    }

    /// <summary>Latitudes as float32 (what the model's graphs take).</summary>
    public float[] Float32Latitudes() => Array.ConvertAll(Latitudes, v => (float)v);

    /// <summary>Longitudes as float32 (what the model's graphs take).</summary>
    public float[] Float32Longitudes() => Array.ConvertAll(Longitudes, v => (float)v);

    /// <summary>
    /// Whether grid node (<paramref name="latIndex"/>, <paramref name="lonIndex"/>) lies in the boundary zone: within
    /// <see cref="RegionSpec.Boundary"/> rows or columns of an edge.
    /// </summary>
    public bool IsBoundary(int latIndex, int lonIndex)
    {
        var b = Spec.Boundary;
        return latIndex < b || lonIndex < b || latIndex >= Latitudes.Length - b || lonIndex >= Longitudes.Length - b;
    }

    private static double[] Axis(double start, double step, int count)
    {
        var values = new double[count];
        for (var k = 0; k < count; k++)
        {
            values[k] = (double)((decimal)start + (k * (decimal)step));
        }

        return values;
    }
}
