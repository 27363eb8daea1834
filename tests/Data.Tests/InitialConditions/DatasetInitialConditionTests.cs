using GraphCast.Data.Datasets;
using GraphCast.Data.InitialConditions;
using GraphCast.Formats.NetCdf;
using GraphCast.Model.Configuration;
using GraphCast.Model.InitialConditions;
using GraphCast.Testing;

namespace GraphCast.Data.Tests.InitialConditions;

/// <summary>Initial conditions from datasets: time and level selection, the variable map's conversions, fill policies and errors.</summary>
public sealed class DatasetInitialConditionTests
{
    private static readonly string IfsNetCdf = SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc");
    private static readonly DateTime Init = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    // The tiny preset's 10° grid: the IFS sample's points, latitude ascending instead of descending.
    private static readonly float[] TinyLat = [.. Enumerable.Range(0, 19).Select(i => -90f + (10f * i))];
    private static readonly float[] TinyLon = [.. Enumerable.Range(0, 36).Select(i => 10f * i)];

    [Fact]
    public void Everything_the_IFS_sample_lacks_for_the_13_level_model_is_listed_in_one_error()
    {
        using var d = GriddedDataset.Open(IfsNetCdf);
        var e = Assert.Throws<ArgumentException>(() => DatasetInitialCondition.Read(d, Presets.Tiny.Task, TinyLat, TinyLon, Init, FillPolicy.None));
        Assert.Contains(IfsNetCdf, e.Message, StringComparison.Ordinal);
        foreach (var lack in new[]
        {
            "10m_u_component_of_wind", "2m_temperature", "geopotential_at_surface", "land_sea_mask", "mean_sea_level_pressure",
            "total_precipitation_6hr", "; vertical_velocity. It has", "temperature at 50, 100, 150, 200, 250, 600, 925 hPa",
            "specific_humidity at 50, 100, 150, 200, 250, 600, 925 hPa", "--fill analytic",
        })
        {
            Assert.Contains(lack, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Interpolate_and_analytic_fill_give_read_converted_interpolated_and_analytic_fields()
    {
        using var d = GriddedDataset.Open(IfsNetCdf);
        var task = Presets.Tiny.Task;
        var ic = DatasetInitialCondition.Read(d, task, TinyLat, TinyLon, Init, FillPolicy.Interpolate | FillPolicy.Analytic);
        Assert.Equal([Init.AddHours(-6), Init], ic.Times);
        Assert.Equal(2, ic.Frames.Count);
        int Level(int hPa) => task.PressureLevels.ToList().IndexOf(hPa);
        const int Nodes = 19 * 36;
        float[] Slice(int frame, string v, int hPa) => ic.Frames[frame][v].AsSpan(Level(hPa) * Nodes, Nodes).ToArray();
        float[] Flip(float[] descending) => [.. Enumerable.Range(0, 19).SelectMany(i => descending.AsSpan((18 - i) * 36, 36).ToArray())];
        var t = d.Variables.Single(v => v.Name == "t");

        // Read: the same points, rows flipped to ascending latitude, bit for bit; each frame from its own time.
        Assert.Equal(Flip(d.ReadField("t", 0, t.LevelIndex(500))), Slice(0, Variables.Temperature, 500));
        Assert.Equal(Flip(d.ReadField("t", 1, t.LevelIndex(500))), Slice(1, Variables.Temperature, 500));
        Assert.Equal(Flip(d.ReadField("u", 1, t.LevelIndex(850))), Slice(1, Variables.UWind, 850));

        // Converted: q from r (%) and t with ECMWF's mixed-phase saturation (written out again here).
        var r = Flip(d.ReadField("r", 1, t.LevelIndex(700)));
        var t700 = Flip(d.ReadField("t", 1, t.LevelIndex(700)));
        var q = Slice(1, Variables.SpecificHumidity, 700);
        for (var i = 0; i < Nodes; i++)
        {
            double T = t700[i];
            double Es(double a3, double a4) => 611.21 * Math.Exp(a3 * (T - 273.16) / (T - a4));
            var alpha = Math.Clamp((T - 250.16) / 23.0, 0, 1);
            var es = (alpha * alpha * Es(17.502, 32.19)) + ((1 - (alpha * alpha)) * Es(22.587, -0.7));
            var e = r[i] / 100.0 * es;
            const double Eps = 287.0597 / 461.5250;
            Assert.Equal((float)(Eps * e / (70000.0 - ((1 - Eps) * e))), q[i]);
        }

        Assert.InRange(q.Max(), 1e-3f, 0.02f);

        // Interpolated: 600 hPa linear in ln p between 500 and 700 hPa; 925 between 850 and 1000.
        var z500 = Slice(1, Variables.Geopotential, 500);
        var z700 = Slice(1, Variables.Geopotential, 700);
        var z600 = Slice(1, Variables.Geopotential, 600);
        var w = (Math.Log(600) - Math.Log(500)) / (Math.Log(700) - Math.Log(500));
        for (var i = 0; i < Nodes; i++)
        {
            Assert.Equal((float)(((1 - w) * z500[i]) + (w * z700[i])), z600[i]);
        }

        // Analytic: levels above 300 hPa and the fields the sample lacks, from the unperturbed analytic state.
        var analytic = AnalyticState.JablonowskiWilliamson(TinyLat, TinyLon, task.PressureLevels, [Variables.Temperature, Variables.LandSeaMask, Variables.Temperature2m], perturbation: false);
        Assert.Equal(analytic[Variables.Temperature].Data.AsSpan(Level(50) * Nodes, Nodes).ToArray(), Slice(1, Variables.Temperature, 50));
        Assert.Equal(analytic[Variables.Temperature2m].Data, ic.Frames[0][Variables.Temperature2m]);
        Assert.Equal(analytic[Variables.LandSeaMask].Data, ic.Frames[1][Variables.LandSeaMask]);

        Assert.Contains(ic.Filled, f => f.ToString() == "temperature at 600, 925 hPa: interpolated in log-pressure");
        Assert.Contains(ic.Filled, f => f.ToString() == "temperature at 50, 100, 150, 200, 250 hPa: analytic");
        Assert.Contains(ic.Filled, f => f.ToString() == "vertical_velocity at 50, 100, 150, 200, 250, 300, 400, 500, 600, 700, 850, 925, 1000 hPa: analytic");
        Assert.Contains(ic.Filled, f => f.ToString() == "2m_temperature: analytic");
        Assert.Contains(ic.Sources, s => s == "specific_humidity ← r (%) with t, converted to specific humidity");
        Assert.DoesNotContain(ic.Frames[1].Names, n => Variables.Forcings.Contains(n));
    }

    [Fact]
    public void An_init_time_whose_frames_are_not_in_the_file_names_the_missing_time_and_the_available_ones()
    {
        using var d = GriddedDataset.Open(IfsNetCdf);
        var e = Assert.Throws<ArgumentException>(() => DatasetInitialCondition.Read(
            d, Presets.Tiny.Task, TinyLat, TinyLon, new DateTime(2024, 6, 3, 0, 0, 0, DateTimeKind.Utc), FillPolicy.Analytic));
        Assert.Contains("no data at 2024-06-02T18:00Z", e.Message, StringComparison.Ordinal);
        Assert.Contains("2024-06-04T18:00Z", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A GraphCast example-layout file: long names, dims batch/time/level/lat/lon, datetime(batch, time), a static field.</summary>
    private static string WriteGraphCastLayout(TemporaryDirectory dir, float temperatureOffset, float? hole = null)
    {
        float[] lat = [-90, -30, 30, 90];
        float[] lon = [0, 90, 180, 270];
        var t = new float[1 * 2 * 2 * 4 * 4];
        for (var i = 0; i < t.Length; i++)
        {
            t[i] = 250f + temperatureOffset + i;
        }

        if (hole is { } fill)
        {
            t[^1] = fill;
        }

        var t2m = Enumerable.Range(0, 2 * 16).Select(i => 280f + i).ToArray();
        var orography = Enumerable.Range(0, 16).Select(i => 10f * i).ToArray();
        var path = dir.File("graphcast-layout.nc");
        new NetCdfClassicWriter()
            .AddDimension("batch", 1).AddDimension("time", 2).AddDimension("level", 2).AddDimension("lat", 4).AddDimension("lon", 4)
            .AddVariable("lat", ["lat"], lat).AddVariable("lon", ["lon"], lon)
            .AddVariable("level", ["level"], new int[] { 500, 850 })
            .AddVariable("time", ["time"], new int[] { 0, 6 }, [NetCdfAttribute.Create("units", "hours")])
            .AddVariable("datetime", ["batch", "time"], new int[] { 0, 6 }, [NetCdfAttribute.Create("units", "hours since 2022-01-01")])
            .AddVariable("temperature", ["batch", "time", "level", "lat", "lon"], t, [NetCdfAttribute.Create("units", "K"), NetCdfAttribute.Create("_FillValue", -999f)])
            .AddVariable("2m_temperature", ["batch", "time", "lat", "lon"], t2m)
            .AddVariable("geopotential_at_surface", ["lat", "lon"], orography)
            .AddVariable("year_progress_sin", ["batch", "time"], new float[] { 0, 0 })
            .Write(path);
        return path;
    }

    private static readonly TaskConfig SmallTask = new()
    {
        InputVariables = [Variables.Temperature, Variables.Temperature2m, Variables.GeopotentialAtSurface],
        TargetVariables = [Variables.Temperature, Variables.Temperature2m],
        ForcingVariables = [],
        PressureLevels = [850, 500],
        InputDuration = "12h",
    };

    [Fact]
    public void The_graphcast_example_layout_reads_with_long_names_datetime_and_static_fields()
    {
        using var dir = new TemporaryDirectory();
        using var d = GriddedDataset.Open(WriteGraphCastLayout(dir, 0));
        Assert.Equal([new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2022, 1, 1, 6, 0, 0, DateTimeKind.Utc)], d.Times);
        Assert.Equal(["temperature", "2m_temperature", "geopotential_at_surface"], d.Variables.Select(v => v.Name));
        float[] lat = [-90, -30, 30, 90];
        float[] lon = [0, 90, 180, 270];
        var ic = DatasetInitialCondition.Read(d, SmallTask, lat, lon, new DateTime(2022, 1, 1, 6, 0, 0, DateTimeKind.Utc), FillPolicy.None);

        // Levels in the task's order (850 first), taken from the file's (500, 850); frame 1 is time index 1.
        var expected850 = Enumerable.Range(0, 16).Select(i => 250f + (1 * 32) + (1 * 16) + i);
        var expected500 = Enumerable.Range(0, 16).Select(i => 250f + (1 * 32) + i);
        Assert.Equal([.. expected850, .. expected500], ic.Frames[1][Variables.Temperature]);
        Assert.Equal(Enumerable.Range(16, 16).Select(i => 280f + i), ic.Frames[1][Variables.Temperature2m]);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 10f * i), ic.Frames[0][Variables.GeopotentialAtSurface]);
        Assert.Empty(ic.Filled);
    }

    [Fact]
    public void A_missing_value_in_an_input_field_is_refused_naming_variable_level_and_time()
    {
        using var dir = new TemporaryDirectory();
        using var d = GriddedDataset.Open(WriteGraphCastLayout(dir, 0, hole: -999f));
        var e = Assert.Throws<ArgumentException>(() => DatasetInitialCondition.Read(
            d, SmallTask, [-90, -30, 30, 90], [0, 90, 180, 270], new DateTime(2022, 1, 1, 6, 0, 0, DateTimeKind.Utc), FillPolicy.Analytic));
        Assert.Contains("1 missing or non-finite values in temperature at 850 hPa at 2022-01-01T06:00Z", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Geopotential_height_and_celsius_are_converted_to_the_model_units()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("cf.nc");
        float[] lat = [90, 0, -90];
        float[] lon = [0, 120, 240];
        var gh = Enumerable.Range(0, 9).Select(i => 5000f + i).ToArray();
        var celsius = Enumerable.Range(0, 9).Select(i => -20f + i).ToArray();
        new NetCdfClassicWriter()
            .AddDimension("time", 1).AddDimension("level", 1).AddDimension("latitude", 3).AddDimension("longitude", 3)
            .AddVariable("latitude", ["latitude"], lat).AddVariable("longitude", ["longitude"], lon)
            .AddVariable("level", ["level"], new int[] { 50000 }, [NetCdfAttribute.Create("units", "Pa")])
            .AddVariable("time", ["time"], new double[] { 1089150 }, [NetCdfAttribute.Create("units", "hours since 1900-01-01 00:00:00.0")])
            .AddVariable("gh", ["time", "level", "latitude", "longitude"], gh, [NetCdfAttribute.Create("units", "gpm")])
            .AddVariable("t", ["time", "level", "latitude", "longitude"], celsius, [NetCdfAttribute.Create("units", "degC")])
            .Write(path);
        using var d = GriddedDataset.Open(path);
        var map = new DatasetVariableMap(d);
        Assert.Equal([500.0], map.LevelsOf(Variables.Geopotential));
        Assert.Equal(gh.Select(x => (float)(x * 9.80665)), map.Read(Variables.Geopotential, 500, 0));
        Assert.Equal(celsius.Select(x => (float)(x + 273.15)), map.Read(Variables.Temperature, 500, 0));
        Assert.False(map.Provides(Variables.SpecificHumidity));
    }

    [Fact]
    public void A_model_input_in_another_layout_is_refused_naming_the_file_the_variable_and_both_shapes_whatever_the_fill()
    {
        using var dir = new TemporaryDirectory();
        var path = TransposedIfsSample.Write(dir.File("t-transposed.nc"), "t");
        using var d = GriddedDataset.Open(path);
        Assert.Equal(["t"], d.Misshapen.Select(v => v.Name));
        foreach (var fill in new[] { FillPolicy.None, FillPolicy.Interpolate | FillPolicy.Analytic })
        {
            var e = Assert.Throws<ArgumentException>(() => DatasetInitialCondition.Read(d, Presets.Tiny.Task, TinyLat, TinyLon, Init, fill));
            Assert.Equal(
                $"'{path}': variable 't' (temperature) has shape (time=8, level=6, longitude=36, latitude=19), but the model reads it as (time, level, latitude=19, longitude=36), " +
                "latitude and longitude last: reorder its dimensions (e.g. ncpdq -a time,level,latitude,longitude IN.nc OUT.nc) or remove it. Nothing was read; such a variable is not filled in.",
                e.Message);
        }
    }

    [Fact]
    public void A_model_input_on_levels_given_without_levels_is_refused_naming_both_shapes()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("t-single-level.nc");
        new NetCdfClassicWriter()
            .AddDimension("time", 2).AddDimension("latitude", 3).AddDimension("longitude", 4)
            .AddVariable("latitude", ["latitude"], new float[] { 90, 0, -90 }).AddVariable("longitude", ["longitude"], new float[] { 0, 90, 180, 270 })
            .AddVariable("time", ["time"], new double[] { 1089144, 1089150 }, [NetCdfAttribute.Create("units", "hours since 1900-01-01 00:00:00.0")])
            .AddVariable("t", ["time", "latitude", "longitude"], new float[2 * 3 * 4], [NetCdfAttribute.Create("units", "K")])
            .AddVariable("t2m", ["time", "latitude", "longitude"], new float[2 * 3 * 4], [NetCdfAttribute.Create("units", "K")])
            .Write(path);
        using var d = GriddedDataset.Open(path);
        var e = Assert.Throws<ArgumentException>(() => DatasetInitialCondition.Read(
            d, SmallTask, [-90, -30, 30, 90], [0, 90, 180, 270], new DateTime(2024, 4, 1, 6, 0, 0, DateTimeKind.Utc), FillPolicy.Analytic));
        Assert.Equal(
            $"'{path}': variable 't' (temperature) has shape (time=2, latitude=3, longitude=4) without pressure levels, but temperature is on pressure levels, " +
            "(time, level, latitude=3, longitude=4): give it on the model's levels or remove it. Nothing was read; such a variable is not filled in.",
            e.Message);
    }
}
