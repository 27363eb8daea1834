using GraphCast.Model.Forcings;

namespace GraphCast.Model.Tests.Forcings;

/// <summary>TISR is physically sound and equals an independent fine integration of the ERA5 flux formula.</summary>
public sealed class SolarRadiationTests
{
    private static readonly double[] EveryFifteenDegrees = Enumerable.Range(0, 24).Select(i => i * 15.0).ToArray();

    private static DateTime Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void Tisr_is_zero_for_an_hour_of_local_night()
    {
        // At 00:00 UTC the hour 23:00–00:00 is night at Greenwich; at 12:00 UTC it is night on the date line.
        var radiation = new SolarRadiation();
        double[] latitudes = Enumerable.Range(-6, 13).Select(i => i * 10.0).ToArray();

        Assert.All(radiation.Compute(Utc(2020, 3, 20, 0), latitudes, [0.0]), value => Assert.Equal(0f, value));
        Assert.All(radiation.Compute(Utc(2020, 3, 20, 12), latitudes, [180.0]), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Tisr_is_zero_all_day_in_the_winter_polar_night()
    {
        var radiation = new SolarRadiation();

        for (int hour = 0; hour < 24; hour += 6)
        {
            Assert.All(radiation.Compute(Utc(2020, 12, 21, hour), [70.0, 80.0, 90.0], EveryFifteenDegrees), v => Assert.Equal(0f, v));
            Assert.All(radiation.Compute(Utc(2020, 6, 21, hour), [-90.0, -80.0, -70.0], EveryFifteenDegrees), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Tisr_at_the_summer_pole_is_an_hour_of_sun_at_the_declination_height()
    {
        // At the pole the Sun stays at altitude δ ≈ 23.44° all day; at the June solstice r ≈ 1.0163 AU.
        var radiation = new SolarRadiation(TsiTable.Reference);
        double expected = 3600 * 1361.0 * Math.Sin(23.44 * Math.PI / 180) / (1.0163 * 1.0163);

        double north = radiation.AtPoint(Utc(2020, 6, 21, 12), 90.0, 0.0);
        double south = radiation.AtPoint(Utc(2020, 12, 21, 12), -90.0, 0.0);

        Assert.InRange(north / expected, 0.995, 1.005);
        Assert.True(south > north, $"South pole in its summer (perihelion) {south} should exceed north {north}.");
    }

    [Fact]
    public void Tisr_around_noon_at_the_subsolar_point_is_about_tsi_times_an_hour()
    {
        // Equinox, equator, Greenwich: the hour 11:30–12:30 UTC is centred near local solar noon.
        var radiation = new SolarRadiation(TsiTable.Reference);

        double value = radiation.AtPoint(Utc(2020, 3, 20, 12, 30), 0.0, 0.0);

        Assert.InRange(value / (1361.0 * 3600), 0.98, 1.02);
    }

    [Theory]
    [InlineData(2020, 6, 21, 12, 0.0, 0.0)]
    [InlineData(2020, 6, 21, 12, 45.0, 0.0)]
    [InlineData(2021, 1, 15, 6, -30.0, 100.0)]
    [InlineData(2019, 9, 1, 18, 70.0, -150.0)]
    [InlineData(2020, 3, 20, 7, 0.0, 0.0)] // sunrise inside the hour
    [InlineData(1979, 1, 1, 0, -80.0, 33.0)]
    public void Tisr_equals_a_one_second_integration_of_the_instantaneous_flux(
        int year, int month, int day, int hour, double latitude, double longitude)
    {
        var time = Utc(year, month, day, hour);
        var radiation = new SolarRadiation();

        double value = radiation.AtPoint(time, latitude, longitude);
        double fine = IndependentFlux.IntegrateHourEndingAt(time, latitude, longitude, TsiTable.Era5.At(time), stepSeconds: 1);

        Assert.True(fine > 1e4, $"The case should be daylit for part of the hour; fine integral {fine}.");
        Assert.InRange(value / fine, 1 - 1e-5, 1 + 1e-5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(18)]
    public void Float32_path_at_six_hourly_times_stays_within_a_few_parts_per_million_of_float64(int hour)
    {
        // At 00/06/12/18 UTC the days since J2000 are multiples of ¼, exact in float32: only the sample
        // offsets are rounded (to ≈42 s steps), and that noise nearly averages out over the hour.
        var time = Utc(2020, 6, 21, hour);
        var (wide, narrow) = BothPrecisions(time);

        double peak = wide.Max();
        Assert.True(peak > 4e6, $"The grid should include the sub-solar region; peak {peak}.");
        for (int i = 0; i < wide.Length; i++)
        {
            Assert.True(Math.Abs(narrow[i] - wide[i]) <= 1e-5 * peak, $"Point {i}: float32 {narrow[i]} vs float64 {wide[i]}.");
        }
    }

    [Fact]
    public void Float32_path_at_other_hours_integrates_the_hour_ending_at_the_float32_rounded_time()
    {
        // 13:00 UTC is not a dyadic fraction of a day: float32 moves the end of the hour by up to ±21 s,
        // which the float64 path reproduces when given that moved end time.
        var time = Utc(2020, 6, 21, 13);
        double days = SolarRadiation.J2000Days(time);
        double roundedDays = (float)days;
        var movedTime = new DateTime(2000, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks((long)Math.Round(roundedDays * TimeSpan.TicksPerDay));
        Assert.NotEqual(time, movedTime);

        var (wide, narrow) = BothPrecisions(time);
        var (movedWide, _) = BothPrecisions(movedTime);

        double peak = wide.Max();
        double largestShiftEffect = wide.Zip(movedWide, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largestShiftEffect > 1e-4 * peak, $"The moved hour should differ measurably; {largestShiftEffect} of peak {peak}.");
        for (int i = 0; i < wide.Length; i++)
        {
            Assert.True(Math.Abs(narrow[i] - movedWide[i]) <= 1e-5 * peak, $"Point {i}: float32 {narrow[i]} vs moved float64 {movedWide[i]}.");
        }
    }

    [Fact]
    public void Grid_values_are_row_major_lat_by_lon_and_equal_the_single_point_values()
    {
        // 13 longitudes exercise both the vectorised loop and its scalar remainder.
        var radiation = new SolarRadiation();
        double[] latitudes = [-60.0, -12.5, 0.0, 33.3, 75.0];
        double[] longitudes = Enumerable.Range(0, 13).Select(i => -180.0 + (i * 27.7)).ToArray();
        var time = Utc(2021, 4, 2, 9);

        float[] grid = radiation.Compute(time, latitudes, longitudes);

        Assert.Equal(latitudes.Length * longitudes.Length, grid.Length);
        for (int y = 0; y < latitudes.Length; y++)
        {
            for (int x = 0; x < longitudes.Length; x++)
            {
                Assert.Equal((float)radiation.AtPoint(time, latitudes[y], longitudes[x]), grid[(y * longitudes.Length) + x]);
            }
        }
    }

    [Fact]
    public void Several_times_stack_as_time_by_lat_by_lon()
    {
        var radiation = new SolarRadiation(precision: SolarRadiationPrecision.Float32);
        double[] latitudes = [-45.0, 0.0, 45.0];
        DateTime[] times = [Utc(2022, 2, 1, 0), Utc(2022, 2, 1, 6), Utc(2022, 2, 1, 12)];

        float[] stacked = radiation.Compute(times, latitudes, EveryFifteenDegrees);

        int perTime = latitudes.Length * EveryFifteenDegrees.Length;
        Assert.Equal(times.Length * perTime, stacked.Length);
        for (int t = 0; t < times.Length; t++)
        {
            Assert.Equal(radiation.Compute(times[t], latitudes, EveryFifteenDegrees), stacked.AsSpan(t * perTime, perTime).ToArray());
        }
    }

    [Fact]
    public void Tsi_table_scales_the_integral_linearly()
    {
        var time = Utc(2020, 6, 21, 12);
        double reference = new SolarRadiation(TsiTable.Reference).AtPoint(time, 10.0, 5.0);
        double doubled = new SolarRadiation(new TsiTable([2000.0], [2722.0])).AtPoint(time, 10.0, 5.0);

        Assert.Equal(2 * reference, doubled, 6);
    }

    [Fact]
    public void J2000_days_count_from_noon_on_the_first_of_january_2000()
    {
        Assert.Equal(0.0, SolarRadiation.J2000Days(Utc(2000, 1, 1, 12)));
        Assert.Equal(7477.0, SolarRadiation.J2000Days(Utc(2020, 6, 21, 12)));
        Assert.Equal(-0.5, SolarRadiation.J2000Days(Utc(2000, 1, 1, 0)));
        Assert.Equal(-10957.5 + (1.0 / 24), SolarRadiation.J2000Days(Utc(1970, 1, 1, 1)), 12);
    }

    [Fact]
    public void A_latitude_outside_minus_90_to_90_is_refused_naming_the_range()
    {
        var radiation = new SolarRadiation();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => radiation.AtPoint(Utc(2020, 1, 1, 0), 91.0, 0.0));
        Assert.Contains("[-90, 90]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => radiation.Compute(Utc(2020, 1, 1, 0), [double.NaN], [0.0]));
    }

    [Fact]
    public void Integration_settings_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SolarRadiation(integrationBins: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SolarRadiation(integrationPeriod: TimeSpan.Zero));
    }

    private static (float[] Float64, float[] Float32) BothPrecisions(DateTime time)
    {
        double[] latitudes = Enumerable.Range(-9, 19).Select(i => i * 10.0).ToArray();
        double[] longitudes = Enumerable.Range(0, 72).Select(i => i * 5.0).ToArray();
        return (
            new SolarRadiation(precision: SolarRadiationPrecision.Float64).Compute(time, latitudes, longitudes),
            new SolarRadiation(precision: SolarRadiationPrecision.Float32).Compute(time, latitudes, longitudes));
    }

    /// <summary>
    /// The ERA5 flux formula of reference §1.13 written out again, scalar and in float64, separately from
    /// the port's vectorised code, with its own time arithmetic.
    /// </summary>
    private static class IndependentFlux
    {
        public static double IntegrateHourEndingAt(DateTime end, double latitude, double longitude, double tsi, int stepSeconds)
        {
            double endDays = (end - new DateTime(2000, 1, 1, 12, 0, 0, DateTimeKind.Utc)).TotalDays;
            int steps = 3600 / stepSeconds;
            double sum = 0;
            for (int k = 0; k <= steps; k++)
            {
                double weight = k == 0 || k == steps ? 0.5 : 1.0;
                sum += weight * Flux(endDays - ((3600.0 - (k * stepSeconds)) / 86400.0), latitude, longitude, tsi);
            }

            return sum * stepSeconds;
        }

        private static double Flux(double days, double latitudeDegrees, double longitudeDegrees, double tsi)
        {
            double theta = days / 365.25;
            double phase = days - Math.Floor(days);
            double rel = 1.7535 + (6.283076 * theta);
            double rem = 6.240041 + (6.283020 * theta);
            double rlls = 4.8951 + (6.283076 * theta);
            double rllls = 4.8952 + (6.283320 * theta) - (0.0075 * Math.Sin(rel)) - (0.0326 * Math.Cos(rel))
                - (0.0003 * Math.Sin(2 * rel)) + (0.0002 * Math.Cos(2 * rel));
            double sinDec = Math.Sin(0.409093) * Math.Sin(rllls);
            double cosDec = Math.Sqrt(1 - (sinDec * sinDec));
            double eot = (591.8 * Math.Sin(2 * rlls)) - (459.4 * Math.Sin(rem)) + (39.5 * Math.Sin(rem) * Math.Cos(2 * rlls))
                - (12.7 * Math.Sin(4 * rlls)) - (4.8 * Math.Sin(2 * rem));
            double distance = 1.0001 - (0.0163 * Math.Sin(rel)) + (0.0037 * Math.Cos(rel));
            double lat = latitudeDegrees * Math.PI / 180;
            double hourAngle = (2 * Math.PI * (phase + (eot / 86400))) + (longitudeDegrees * Math.PI / 180);
            double sinAltitude = (Math.Cos(lat) * cosDec * Math.Cos(hourAngle)) + (Math.Sin(lat) * sinDec);
            return tsi / (distance * distance) * Math.Max(sinAltitude, 0);
        }
    }
}
