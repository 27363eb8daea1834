using System.Globalization;
using GraphCast.Data.Datasets;
using GraphCast.Testing;

namespace GraphCast.Data.Tests.Datasets;

/// <summary>The netCDF and GRIB readers behind <see cref="IGriddedDataset"/>, on the shared IFS and ERA5 samples.</summary>
public sealed class GriddedDatasetTests
{
    private static readonly string IfsNetCdf = SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc");
    private static readonly string IfsGrib = SharedData.File("ifs-2024-06-03", "pl_regular_ll.grib");
    private static readonly string Era5NetCdf = SharedData.File("era5-2017-01-01", "era5-levels-members.nc");
    private static readonly string Era5Grib = SharedData.File("era5-2017-01-01", "era5-levels-members.grib");

    [Fact]
    public void Ifs_netcdf_and_grib_describe_the_same_grid_times_levels_and_variables()
    {
        using var nc = GriddedDataset.Open(IfsNetCdf);
        using var grib = GriddedDataset.Open(IfsGrib);
        Assert.IsType<NetCdfGriddedDataset>(nc);
        Assert.IsType<GribDataset>(grib);
        Assert.Equal(240, ((GribDataset)grib).MessageCount);

        double[] latitudes = [.. Enumerable.Range(0, 19).Select(i => 90.0 - (10.0 * i))];
        double[] longitudes = [.. Enumerable.Range(0, 36).Select(i => 10.0 * i)];
        DateTime[] times = [.. Enumerable.Range(0, 8).Select(i => new DateTime(2024, 6, 3, 0, 0, 0, DateTimeKind.Utc).AddHours(6 * i))];
        foreach (var d in new[] { nc, grib })
        {
            Assert.Equal(latitudes, d.Latitudes);
            Assert.Equal(longitudes, d.Longitudes);
            Assert.Equal(times, d.Times);
            Assert.Equal(1, d.Members);
            Assert.Equal(["r", "t", "u", "v", "z"], d.Variables.Select(v => v.Name).Order(StringComparer.Ordinal));
            Assert.All(d.Variables, v => Assert.Equal([1000.0, 850, 700, 500, 400, 300], v.LevelsHpa.OrderDescending()));
        }

        Assert.Equal("%", nc.Variables.Single(v => v.Name == "r").Units);
        Assert.Equal("%", grib.Variables.Single(v => v.Name == "r").Units);
        Assert.Equal(157, grib.Variables.Single(v => v.Name == "r").ParamId);
        Assert.Equal("air_temperature", nc.Variables.Single(v => v.Name == "t").StandardName);
    }

    [Fact]
    public void First_field_matches_the_data_README_cross_check_values()
    {
        // t at 1000 hPa, 2024-06-03 00 UTC: min 248.545, max 311.027, mean 282.811 K (ecCodes grib_get -p min,max,average).
        foreach (var path in new[] { IfsNetCdf, IfsGrib })
        {
            using var d = GriddedDataset.Open(path);
            var t = d.Variables.Single(v => v.Name == "t");
            var field = d.ReadField("t", time: 0, level: t.LevelIndex(1000));
            Assert.Equal(19 * 36, field.Length);
            Assert.Equal("248.545", field.Min().ToString("F3", CultureInfo.InvariantCulture));
            Assert.Equal("311.027", field.Max().ToString("F3", CultureInfo.InvariantCulture));
            Assert.Equal("282.811", field.Select(x => (double)x).Average().ToString("F3", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Every_field_of_the_netcdf_and_grib_files_agrees_exactly()
    {
        using var nc = GriddedDataset.Open(IfsNetCdf);
        using var grib = GriddedDataset.Open(IfsGrib);
        var compared = 0;
        foreach (var v in nc.Variables)
        {
            var g = grib.Variables.Single(x => x.Name == v.Name);
            for (var time = 0; time < nc.Times.Count; time++)
            {
                foreach (var p in v.LevelsHpa)
                {
                    Assert.Equal(nc.ReadField(v.Name, time, v.LevelIndex(p)), grib.ReadField(v.Name, time, g.LevelIndex(p)));
                    compared++;
                }
            }
        }

        Assert.Equal(240, compared);
    }

    [Fact]
    public void Era5_members_read_from_netcdf_and_grib_alike()
    {
        using var nc = GriddedDataset.Open(Era5NetCdf);
        using var grib = GriddedDataset.Open(Era5Grib);
        foreach (var d in new[] { nc, grib })
        {
            Assert.Equal(10, d.Members);
            Assert.Equal(61, d.Latitudes.Count);
            Assert.Equal(120, d.Longitudes.Count);
            Assert.Equal(4, d.Times.Count);
            Assert.Equal(new DateTime(2017, 1, 2, 12, 0, 0, DateTimeKind.Utc), d.Times[^1]);
        }

        // z at 500 hPa, 2017-01-01 00 UTC: member 0 min 46728, max 58127.5, mean 53995.2; member 1 min 46739.4, max 58130.1, mean 53995.4.
        (int Member, string Min, string Max, string Mean)[] expected = [(0, "46728.0", "58127.5", "53995.2"), (1, "46739.4", "58130.1", "53995.4")];
        foreach (var (member, min, max, mean) in expected)
        {
            var fromNc = nc.ReadField("z", 0, nc.Variables.Single(v => v.Name == "z").LevelIndex(500), member);
            var fromGrib = grib.ReadField("z", 0, grib.Variables.Single(v => v.Name == "z").LevelIndex(500), member);
            Assert.Equal(fromNc, fromGrib);
            Assert.Equal(min, fromNc.Min().ToString("F1", CultureInfo.InvariantCulture));
            Assert.Equal(max, fromNc.Max().ToString("F1", CultureInfo.InvariantCulture));
            Assert.Equal(mean, fromNc.Select(x => (double)x).Average().ToString("F1", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_file_that_is_neither_grib_nor_netcdf_is_refused_with_its_name()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-data-{Guid.NewGuid():N}.grib");
        File.WriteAllText(path, "hello, world");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => GriddedDataset.Open(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
