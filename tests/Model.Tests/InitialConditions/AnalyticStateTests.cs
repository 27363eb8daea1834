using GraphCast.Model.Configuration;
using GraphCast.Model.InitialConditions;

namespace GraphCast.Model.Tests.InitialConditions;

/// <summary>The gridded Jablonowski–Williamson state: the fields a GraphCast task needs, consistent with each other.</summary>
public sealed class AnalyticStateTests(AnalyticStateTests.OneDegreeStates states) : IClassFixture<AnalyticStateTests.OneDegreeStates>
{
    private const double Rd = 287.0;

    /// <summary>The 1° grid (−90..90 × 0..359) on the 37 ERA5 levels: moist with and without the perturbation, and dry.</summary>
    public sealed class OneDegreeStates
    {
        public float[] Latitudes { get; } = RegularLatitudes(1f);

        public float[] Longitudes { get; } = RegularLongitudes(1f);

        public IReadOnlyList<int> Levels { get; } = Variables.PressureLevelsEra5_37;

        public IReadOnlyDictionary<string, AnalyticField> Perturbed { get; }

        public IReadOnlyDictionary<string, AnalyticField> Balanced { get; }

        public IReadOnlyDictionary<string, AnalyticField> Dry { get; }

        public OneDegreeStates()
        {
            Perturbed = AnalyticState.JablonowskiWilliamson(Latitudes, Longitudes, Levels, AnalyticState.SupportedVariables, perturbation: true);
            Balanced = AnalyticState.JablonowskiWilliamson(Latitudes, Longitudes, Levels, AnalyticState.SupportedVariables, perturbation: false);
            Dry = AnalyticState.JablonowskiWilliamson(Latitudes, Longitudes, Levels, AnalyticState.SupportedVariables, perturbation: false, moist: false);
        }

        public int LatitudeIndex(float degrees) => Array.IndexOf(Latitudes, degrees);

        public int LongitudeIndex(float degrees) => Array.IndexOf(Longitudes, degrees);

        public int LevelIndex(int hPa) => Levels.ToList().IndexOf(hPa);
    }

    [Fact]
    public void Every_supported_variable_has_its_shape_and_only_finite_values()
    {
        Assert.Equal(13, AnalyticState.SupportedVariables.Count);
        foreach (var state in new[] { states.Perturbed, states.Balanced, states.Dry })
        {
            Assert.Equal(AnalyticState.SupportedVariables.Order(), state.Keys.Order());
            foreach (var (name, field) in state)
            {
                var levels = TaskConfig.HasLevels(name) ? 37 : 1;
                Assert.Equal(name, field.Name);
                Assert.Equal((levels, 181, 360), (field.Levels, field.Latitudes, field.Longitudes));
                Assert.Equal(levels * 181 * 360, field.Data.Length);
                var bad = Array.FindIndex(field.Data, v => !float.IsFinite(v));
                Assert.True(bad < 0, $"{name} has a non-finite value at flat index {bad}.");
            }
        }
    }

    [Fact]
    public void Task_overload_gives_every_non_forcing_input_and_target_of_the_task_and_no_forcing()
    {
        var state = AnalyticState.JablonowskiWilliamson(Presets.Task13, RegularLatitudes(10f), RegularLongitudes(10f), perturbation: true);

        string[] expected =
        [
            "10m_u_component_of_wind", "10m_v_component_of_wind", "2m_temperature", "geopotential", "geopotential_at_surface",
            "land_sea_mask", "mean_sea_level_pressure", "specific_humidity", "temperature", "total_precipitation_6hr",
            "u_component_of_wind", "v_component_of_wind", "vertical_velocity",
        ];
        Assert.Equal(expected, state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(13, state[Variables.Temperature].Levels);
        Assert.Equal(19 * 36 * 13, state[Variables.Temperature].Data.Length);
    }

    [Fact]
    public void Jet_maximum_on_250_hPa_is_u0_cos_three_halves_at_45_degrees_in_both_hemispheres()
    {
        var u = states.Balanced[Variables.UWind];
        var k = states.LevelIndex(250);

        // u = u0 cos^{3/2}((0.25 − 0.252) π/2) sin²(2φ): sin²(2φ) = 1 at ±45°.
        var expected = (float)(35.0 * Math.Pow(Math.Cos(-0.002 * Math.PI / 2.0), 1.5));
        Assert.Equal(34.99974f, expected, 1e-5f);

        var max = float.MinValue;
        var argmax = new List<float>();
        for (var i = 0; i < u.Latitudes; i++)
        {
            var value = u[k, i, 0];
            if (value > max)
            {
                (max, argmax) = (value, [states.Latitudes[i]]);
            }
            else if (value == max)
            {
                argmax.Add(states.Latitudes[i]);
            }
        }

        Assert.Equal(expected, max, 1e-5f);
        Assert.Equal(new[] { -45f, 45f }, argmax);
    }

    [Fact]
    public void Zonal_wind_is_exactly_zero_at_the_equator_and_vanishes_at_the_poles()
    {
        var u = states.Balanced[Variables.UWind];
        var equator = states.LatitudeIndex(0f);
        for (var k = 0; k < u.Levels; k++)
        {
            for (var j = 0; j < u.Longitudes; j++)
            {
                Assert.Equal(0f, u[k, equator, j]);
                Assert.True(Math.Abs(u[k, 0, j]) < 1e-12f && Math.Abs(u[k, 180, j]) < 1e-12f);
            }
        }
    }

    [Theory]
    [InlineData("u_component_of_wind")]
    [InlineData("temperature")]
    [InlineData("geopotential")]
    [InlineData("specific_humidity")]
    [InlineData("2m_temperature")]
    [InlineData("mean_sea_level_pressure")]
    [InlineData("geopotential_at_surface")]
    public void Unperturbed_state_is_hemispherically_and_zonally_symmetric(string variable)
    {
        var field = states.Balanced[variable];
        var asymmetric = new List<string>();
        for (var k = 0; k < field.Levels; k++)
        {
            for (var i = 0; i < field.Latitudes; i++)
            {
                var mirror = field.Latitudes - 1 - i;
                Assert.Equal(-states.Latitudes[i], states.Latitudes[mirror]);
                for (var j = 0; j < field.Longitudes; j++)
                {
                    if (field[k, i, j] != field[k, i, 0] || field[k, i, j] != field[k, mirror, j])
                    {
                        asymmetric.Add($"level {k}, lat {states.Latitudes[i]}, lon {states.Longitudes[j]}");
                    }
                }
            }
        }

        Assert.Empty(asymmetric);
        var last = field.Levels - 1;
        Assert.True(field[last, 60, 0] != field[last, 70, 0], "A field constant in latitude would prove nothing.");
    }

    [Fact]
    public void Perturbation_adds_one_metre_per_second_at_20E_40N_on_every_level_and_nothing_far_away()
    {
        var perturbed = states.Perturbed[Variables.UWind];
        var balanced = states.Balanced[Variables.UWind];
        var centreLat = states.LatitudeIndex(40f);
        var centreLon = states.LongitudeIndex(20f);

        var farAway = new List<(int Level, int Lat, int Lon, float Difference)>();
        for (var k = 0; k < perturbed.Levels; k++)
        {
            var maxDifference = float.MinValue;
            (int, int) argmax = default;
            for (var i = 0; i < perturbed.Latitudes; i++)
            {
                for (var j = 0; j < perturbed.Longitudes; j++)
                {
                    var difference = perturbed[k, i, j] - balanced[k, i, j];
                    if (difference > maxDifference)
                    {
                        (maxDifference, argmax) = (difference, (i, j));
                    }

                    // Beyond 30° of arc from the centre u' < exp(−(10 · 0.5236)²) ≈ 1e-12.
                    if (GreatCircleDegrees(states.Latitudes[i], states.Longitudes[j], 40.0, 20.0) > 30.0 && Math.Abs(difference) > 1e-6f)
                    {
                        farAway.Add((k, i, j, difference));
                    }
                }
            }

            Assert.Equal(1f, maxDifference, 1e-5f);
            Assert.Equal((centreLat, centreLon), argmax);
        }

        Assert.Empty(farAway);

        // 10 m wind carries the same bump; the perturbation is in u only.
        Assert.Equal(1f, states.Perturbed[Variables.UWind10m][0, centreLat, centreLon] - states.Balanced[Variables.UWind10m][0, centreLat, centreLon], 1e-5f);
        foreach (var unchanged in new[] { Variables.Temperature, Variables.Geopotential, Variables.SpecificHumidity, Variables.VWind, Variables.MeanSeaLevelPressure })
        {
            Assert.True(states.Balanced[unchanged].Data.AsSpan().SequenceEqual(states.Perturbed[unchanged].Data), unchanged);
        }
    }

    [Fact]
    public void Surface_temperature_at_the_equator_is_the_paper_value_dry_and_its_virtual_temperature_inverse_moist()
    {
        // The paper at φ = 0, η = 1 (A = 10/63, B = 16/15 − π/4), evaluated by hand: 309.951046 K.
        var etaV = 0.748 * Math.PI / 2.0;
        var tv = 288.0 + (0.75 * Math.PI * 35.0 / Rd * Math.Sin(etaV) * Math.Sqrt(Math.Cos(etaV)) *
            ((70.0 * Math.Pow(Math.Cos(etaV), 1.5) * 10.0 / 63.0) + (6.371229e6 * 7.29212e-5 * ((16.0 / 15.0) - (Math.PI / 4.0)))));
        var equator = states.LatitudeIndex(0f);
        var surface = states.LevelIndex(1000);

        Assert.Equal((float)tv, states.Dry[Variables.Temperature2m][0, equator, 7]);
        Assert.Equal((float)tv, states.Dry[Variables.Temperature][surface, equator, 7]);

        // Moist: q = q0 = 0.018 at the equator at the surface, and T = Tv / (1 + 0.608 q) = 306.595663 K.
        var moist = (float)(tv / (1.0 + (0.608 * 0.018)));
        Assert.Equal(306.595663f, moist, 1e-4f);
        Assert.Equal(moist, states.Balanced[Variables.Temperature2m][0, equator, 7]);
        Assert.Equal(0.018f, states.Balanced[Variables.SpecificHumidity][surface, equator, 7]);
    }

    [Fact]
    public void Surface_fields_are_the_atmospheric_fields_at_1000_hPa()
    {
        var surface = states.LevelIndex(1000);
        var plane = 181 * 360;
        foreach (var state in new[] { states.Perturbed, states.Dry })
        {
            Assert.Equal(state[Variables.Geopotential].Data.AsSpan(surface * plane, plane).ToArray(), state[Variables.GeopotentialAtSurface].Data);
            Assert.Equal(state[Variables.Temperature].Data.AsSpan(surface * plane, plane).ToArray(), state[Variables.Temperature2m].Data);
            Assert.Equal(state[Variables.UWind].Data.AsSpan(surface * plane, plane).ToArray(), state[Variables.UWind10m].Data);
        }
    }

    [Fact]
    public void Surface_geopotential_at_the_equator_matches_the_paper_by_hand()
    {
        var cos32 = Math.Pow(Math.Cos(0.748 * Math.PI / 2.0), 1.5);
        var expected = 35.0 * cos32 * ((35.0 * cos32 * 10.0 / 63.0) + (6.371229e6 * 7.29212e-5 * ((16.0 / 15.0) - (Math.PI / 4.0))));
        Assert.Equal((float)expected, states.Balanced[Variables.GeopotentialAtSurface][0, states.LatitudeIndex(0f), 100]);
    }

    [Fact]
    public void Geopotential_is_hydrostatic_between_the_37_levels_within_the_trapezoid_error()
    {
        // Φ_k − Φ_k+1 = ∫ Rd Tv d ln p. The trapezoid rule on the ERA5 spacing (up to ln 2 between 1 and 2 hPa) is exact
        // to 0.38 % at worst (10–20 hPa, where T turns with height); in the troposphere to well under 0.1 %.
        var worst = MaxHydrostaticMismatch(states.Balanced, states.Levels);
        Assert.True(worst < 5e-3, $"Worst relative mismatch {worst}.");
        Assert.True(worst > 1e-4, "The trapezoid rule on coarse levels cannot be exact; a zero mismatch means a broken test.");
    }

    [Fact]
    public void Geopotential_is_hydrostatic_with_the_virtual_temperature_between_levels_1_hPa_apart()
    {
        int[] levels = [99, 100, 249, 250, 499, 500, 849, 850, 999, 1000];
        var state = AnalyticState.JablonowskiWilliamson(states.Latitudes, states.Longitudes, levels,
            [Variables.Geopotential, Variables.Temperature, Variables.SpecificHumidity], perturbation: true);

        // Only pairs 1 hPa apart count (every other gap): there the trapezoid error is ~1e-9; float32 storage of Φ leaves ~3e-5.
        var worst = MaxHydrostaticMismatch(state, levels, step: 2);
        Assert.True(worst < 1e-4, $"Worst relative mismatch {worst}.");
    }

    [Fact]
    public void Humidity_is_non_negative_below_3_percent_and_never_supersaturated()
    {
        var q = states.Balanced[Variables.SpecificHumidity];
        var t = states.Balanced[Variables.Temperature];
        var maxRelativeHumidity = 0.0;
        for (var k = 0; k < q.Levels; k++)
        {
            var pressure = states.Levels[k] * 100.0;
            for (var i = 0; i < q.Latitudes; i++)
            {
                var value = q[k, i, 0];
                Assert.True(value >= 0f && value < 0.03f, $"q = {value} at {states.Levels[k]} hPa, {states.Latitudes[i]}°.");
                maxRelativeHumidity = Math.Max(maxRelativeHumidity, WaterVapour.RelativeHumidity(value, t[k, i, 0], pressure));
            }
        }

        Assert.True(maxRelativeHumidity <= 1.0, $"Relative humidity reaches {maxRelativeHumidity}.");
        Assert.Equal(0.775, maxRelativeHumidity, 0.01);
        Assert.Equal(0.018f, q.Data.Max());

        // Above 100 hPa the DCMIP-2016 air holds only qt = 1e-12.
        Assert.All(Enumerable.Range(0, states.LevelIndex(100) + 1), k => Assert.Equal(1e-12f, q[k, states.LatitudeIndex(0f), 0]));
    }

    [Fact]
    public void Dry_state_has_no_humidity_and_the_moist_state_is_cooler_by_the_virtual_temperature_factor()
    {
        Assert.True(states.Dry[Variables.SpecificHumidity].Data.All(v => v == 0f));
        var dryT = states.Dry[Variables.Temperature].Data;
        var moistT = states.Balanced[Variables.Temperature].Data;
        var q = states.Balanced[Variables.SpecificHumidity].Data;
        for (var n = 0; n < dryT.Length; n += 997)
        {
            Assert.Equal(dryT[n] / (1.0 + (0.608 * q[n])), moistT[n], 1e-4);
        }

        Assert.True(states.Dry[Variables.Geopotential].Data.AsSpan().SequenceEqual(states.Balanced[Variables.Geopotential].Data));
    }

    [Fact]
    public void Sea_level_pressure_is_the_surface_pressure_where_the_surface_geopotential_vanishes()
    {
        // Φs changes sign near 39.6°: find the root and evaluate the state on that latitude.
        double lo = 0.0, hi = Math.PI / 2.0;
        for (var n = 0; n < 100; n++)
        {
            var mid = 0.5 * (lo + hi);
            (lo, hi) = BaroclinicWave.SurfaceGeopotential(mid) > 0 ? (mid, hi) : (lo, mid);
        }

        var root = (float)(lo * 180.0 / Math.PI);
        Assert.Equal(39.625f, root, 1e-3f);
        var state = AnalyticState.JablonowskiWilliamson([-90f, -root, 0f, root, 90f], [0f], [1000], [Variables.MeanSeaLevelPressure, Variables.GeopotentialAtSurface], perturbation: false);
        var mslp = state[Variables.MeanSeaLevelPressure].Data;

        Assert.Equal(100000f, mslp[1], 0.05f);
        Assert.Equal(100000f, mslp[3], 0.05f);

        // Equator: Φs ≈ 1106 m²/s² (113 m) raises it, ≈ 101250 Pa by hand; poles (Φs ≈ −3094 m²/s²) lower it.
        var phiS = state[Variables.GeopotentialAtSurface].Data[2];
        var tv = BaroclinicWave.Temperature(1.0, 0.0);
        var expected = 100000.0 * Math.Pow(1.0 + (0.0065 * phiS / 9.80616 / tv), 9.80616 / (Rd * 0.0065));
        Assert.Equal((float)expected, mslp[2], 0.02f);
        Assert.Equal(101249.84f, mslp[2], 0.1f);
        Assert.True(mslp[0] < 100000f && mslp[4] < 100000f);
    }

    [Fact]
    public void Fields_that_vanish_at_the_initial_time_are_zero_even_with_the_perturbation()
    {
        foreach (var name in new[] { Variables.VWind, Variables.VerticalVelocity, Variables.VWind10m, Variables.TotalPrecipitation6h, Variables.LandSeaMask })
        {
            Assert.True(states.Perturbed[name].Data.All(v => v == 0f), name);
        }
    }

    [Fact]
    public void Levels_come_out_in_the_order_asked_for()
    {
        float[] lat = [-50f, 0f, 40f];
        float[] lon = [0f, 20f];
        var ascending = AnalyticState.JablonowskiWilliamson(lat, lon, [500, 850], [Variables.Temperature, Variables.UWind], perturbation: true);
        var descending = AnalyticState.JablonowskiWilliamson(lat, lon, [850, 500], [Variables.Temperature, Variables.UWind], perturbation: true);
        foreach (var name in new[] { Variables.Temperature, Variables.UWind })
        {
            Assert.Equal(ascending[name].Data.AsSpan(0, 6).ToArray(), descending[name].Data.AsSpan(6, 6).ToArray());
            Assert.Equal(ascending[name].Data.AsSpan(6, 6).ToArray(), descending[name].Data.AsSpan(0, 6).ToArray());
        }

        Assert.NotEqual(ascending[Variables.Temperature][0, 1, 0], ascending[Variables.Temperature][1, 1, 0]);
    }

    [Fact]
    public void Unknown_variable_is_an_error_that_lists_the_supported_ones()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            AnalyticState.JablonowskiWilliamson([0f], [0f], [500], [Variables.Temperature, "relative_humidity"], perturbation: false));
        Assert.Contains("'relative_humidity'", error.Message, StringComparison.Ordinal);
        Assert.All(AnalyticState.SupportedVariables, v => Assert.Contains(v, error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Forcing_variable_is_an_error_that_points_to_the_forcings_module()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            AnalyticState.JablonowskiWilliamson([0f], [0f], [500], [Variables.ToaIncidentSolarRadiation], perturbation: false));
        Assert.Contains("'toa_incident_solar_radiation' is a forcing", error.Message, StringComparison.Ordinal);
        Assert.Contains("forcings module", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1050)]
    [InlineData(0)]
    public void Level_outside_the_atmosphere_is_an_error_naming_it(int level)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            AnalyticState.JablonowskiWilliamson([0f], [0f], [500, level], [Variables.Temperature], perturbation: false));
        Assert.Contains($"{level} hPa", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latitude_beyond_the_pole_is_an_error_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            AnalyticState.JablonowskiWilliamson([0f, 91f], [0f], [500], [Variables.Temperature], perturbation: false));
        Assert.Contains("91", error.Message, StringComparison.Ordinal);
    }

    private static float[] RegularLatitudes(float step) =>
        Enumerable.Range(0, (int)(180f / step) + 1).Select(i => -90f + (i * step)).ToArray();

    private static float[] RegularLongitudes(float step) =>
        Enumerable.Range(0, (int)(360f / step)).Select(i => i * step).ToArray();

    private static double GreatCircleDegrees(double lat1, double lon1, double lat2, double lon2)
    {
        const double r = Math.PI / 180.0;
        var c = (Math.Sin(lat1 * r) * Math.Sin(lat2 * r)) + (Math.Cos(lat1 * r) * Math.Cos(lat2 * r) * Math.Cos((lon1 - lon2) * r));
        return Math.Acos(Math.Clamp(c, -1.0, 1.0)) / r;
    }

    /// <summary>
    /// Worst |ΔΦ − Rd T̄v Δln p| / |Rd T̄v Δln p| over level pairs (k, k+1) for k = 0, step, 2·step, …, at every latitude;
    /// T̄v is the mean of the two levels' virtual temperatures T (1 + 0.608 q).
    /// </summary>
    private static double MaxHydrostaticMismatch(IReadOnlyDictionary<string, AnalyticField> state, IReadOnlyList<int> levels, int step = 1)
    {
        var phi = state[Variables.Geopotential];
        var t = state[Variables.Temperature];
        var q = state[Variables.SpecificHumidity];
        double Tv(int k, int i) => t[k, i, 0] * (1.0 + (0.608 * q[k, i, 0]));
        var worst = 0.0;
        for (var k = 0; k + 1 < levels.Count; k += step)
        {
            for (var i = 0; i < phi.Latitudes; i++)
            {
                var thickness = (double)phi[k, i, 0] - phi[k + 1, i, 0];
                var expected = Rd * 0.5 * (Tv(k, i) + Tv(k + 1, i)) * Math.Log((double)levels[k + 1] / levels[k]);
                worst = Math.Max(worst, Math.Abs(thickness - expected) / Math.Abs(expected));
            }
        }

        return worst;
    }
}
