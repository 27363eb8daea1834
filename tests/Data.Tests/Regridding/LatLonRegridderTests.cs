using GraphCast.Data.Regridding;

namespace GraphCast.Data.Tests.Regridding;

public sealed class LatLonRegridderTests
{
    /// <summary>A field linear in the Cartesian coordinates of the unit sphere: 3x − 2y + 5z + 7.</summary>
    private static double Linear(double latitude, double longitude)
    {
        var phi = latitude * Math.PI / 180;
        var lambda = longitude * Math.PI / 180;
        return (3 * Math.Cos(phi) * Math.Cos(lambda)) - (2 * Math.Cos(phi) * Math.Sin(lambda)) + (5 * Math.Sin(phi)) + 7;
    }

    private static double[] Range(double start, double step, int count) => [.. Enumerable.Range(0, count).Select(i => start + (step * i))];

    private static float[] Sample(double[] latitudes, double[] longitudes) =>
        [.. latitudes.SelectMany(lat => longitudes.Select(lon => (float)Linear(lat, lon)))];

    /// <summary>The largest error against the exact field, in units of float32 rounding of the field's largest value.</summary>
    private static double ErrorInUlps(float[] result, double[] latitudes, double[] longitudes)
    {
        var exact = latitudes.SelectMany(lat => longitudes.Select(lon => Linear(lat, lon))).ToArray();
        var ulp = Math.ScaleB(1.0, Math.ILogB(exact.Max(Math.Abs)) - 23);
        return exact.Select((e, i) => Math.Abs(result[i] - e)).Max() / ulp;
    }

    [Fact]
    public void A_field_linear_in_x_y_z_is_regridded_exactly_from_a_descending_10_degree_grid_to_an_ascending_2_degree_grid()
    {
        var sourceLat = Range(90, -10, 19);
        var sourceLon = Range(0, 10, 36);
        var targetLat = Range(-90, 2, 91);
        var targetLon = Range(0, 2, 180);
        var result = new LatLonRegridder(sourceLat, sourceLon, targetLat, targetLon).Regrid(Sample(sourceLat, sourceLon));

        // Float32 inputs, float64 weights and sums, one float32 rounding out: within a few units of float32 rounding.
        Assert.InRange(ErrorInUlps(result, targetLat, targetLon), 0, 2);
    }

    [Fact]
    public void A_field_linear_in_x_y_z_is_exact_across_the_poles_and_the_date_line_from_a_grid_without_pole_rows()
    {
        // Cell-centred 3° grid: latitudes ±88.5 …, longitudes −178.5 … 178.5; the target has both poles and 0°/360°.
        var sourceLat = Range(-88.5, 3, 60);
        var sourceLon = Range(-178.5, 3, 120);
        var targetLat = Range(90, -5, 37);
        var targetLon = Range(0, 5, 72);
        var result = new LatLonRegridder(sourceLat, sourceLon, targetLat, targetLon).Regrid(Sample(sourceLat, sourceLon));
        Assert.InRange(ErrorInUlps(result, targetLat, targetLon), 0, 2);
    }

    [Fact]
    public void Regridding_to_the_same_grid_is_the_identity_bit_for_bit()
    {
        var latitudes = Range(90, -10, 19);
        var longitudes = Range(0, 10, 36);
        var random = new Random(7);
        var field = Enumerable.Range(0, 19 * 36).Select(_ => (float)(random.NextDouble() * 1e3)).ToArray();
        Assert.Equal(field, new LatLonRegridder(latitudes, longitudes, latitudes, longitudes).Regrid(field));

        // The same points in another order (ascending latitude, longitudes from 180°): a permutation, exactly.
        var targetLat = latitudes.Reverse().ToArray();
        var targetLon = longitudes.Select(l => l >= 180 ? l - 360 : l).OrderBy(l => l).ToArray();
        var permuted = new LatLonRegridder(latitudes, longitudes, targetLat, targetLon).Regrid(field);
        for (var i = 0; i < 19; i++)
        {
            for (var j = 0; j < 36; j++)
            {
                var sourceColumn = (int)((targetLon[j] + 360) % 360 / 10);
                Assert.Equal(field[((18 - i) * 36) + sourceColumn], permuted[(i * 36) + j]);
            }
        }
    }

    [Fact]
    public void A_smooth_field_at_cell_centres_of_a_10_degree_grid_is_within_a_thousandth_of_exact()
    {
        // A smooth field that is not linear in x, y, z: cos²φ·cos 2λ (amplitude 1); bilinear would be off by about 1e-2 here.
        var sourceLat = Range(-90, 10, 19);
        var sourceLon = Range(0, 10, 36);
        var targetLat = Range(-85, 10, 18);
        var targetLon = Range(5, 10, 36);
        static double F(double lat, double lon) => Math.Pow(Math.Cos(lat * Math.PI / 180), 2) * Math.Cos(2 * lon * Math.PI / 180);
        var source = sourceLat.SelectMany(lat => sourceLon.Select(lon => (float)F(lat, lon))).ToArray();
        var result = new LatLonRegridder(sourceLat, sourceLon, targetLat, targetLon).Regrid(source);
        var error = targetLat.SelectMany(lat => targetLon.Select(lon => F(lat, lon))).Select((e, i) => Math.Abs(result[i] - e)).Max();
        Assert.InRange(error, 0, 1e-3);
    }

    [Fact]
    public void A_regional_source_grid_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new LatLonRegridder(Range(30, 1, 10), Range(0, 1, 40), [35.0], [10.0]));
        Assert.Contains("global", e.Message, StringComparison.Ordinal);
    }
}
