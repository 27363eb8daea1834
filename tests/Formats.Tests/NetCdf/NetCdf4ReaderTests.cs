using GraphCast.Formats.NetCdf;
using GraphCast.Testing;
using PureHDF;

namespace GraphCast.Formats.Tests.NetCdf;

/// <summary>netCDF-4 (HDF5) files: real ECMWF data converted by ecCodes, a netCDF-C feature fixture, and HDF5 files with partial dimension metadata.</summary>
public sealed class NetCdf4ReaderTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void IFS_pressure_level_file_has_the_README_dimensions_coordinates_and_times()
    {
        using var ds = NetCdfDataset.Open(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"));
        Assert.Equal(NetCdfFormat.NetCdf4, ds.Format);

        // Dimension ids as netCDF-C numbers them (_Netcdf4Dimid): longitude 0 … time 3.
        Assert.Equal(["longitude", "latitude", "level", "time"], ds.Dimensions.Keys);
        Assert.Equal(36, ds.Dimension("longitude").Length);
        Assert.Equal(19, ds.Dimension("latitude").Length);
        Assert.Equal(6, ds.Dimension("level").Length);
        Assert.Equal(8, ds.Dimension("time").Length);
        Assert.False(ds.Dimension("time").IsUnlimited);

        Assert.Equal(["longitude", "latitude", "level", "time"], ds.Variables.Keys.Take(4));
        Assert.Equal(["r", "t", "u", "v", "z"], ds.Variables.Keys.Skip(4).Order());
        var t = ds["t"];
        Assert.Equal(["time", "level", "latitude", "longitude"], t.DimensionNames);
        Assert.Equal(NetCdfType.Float, t.Type);
        Assert.Equal("K", t.Units);
        Assert.Equal("air_temperature", t.TextAttribute("standard_name"));
        Assert.DoesNotContain("DIMENSION_LIST", t.Attributes.Keys);
        Assert.DoesNotContain("_Netcdf4Coordinates", t.Attributes.Keys);
        Assert.Equal("CF-1.6", ds.Attributes["Conventions"].GetText());

        Assert.Equal(new long[] { 1000, 850, 700, 500, 400, 300 }, ds["level"].ReadLong());
        Assert.Equal(Enumerable.Range(0, 19).Select(i => 90f - 10 * i), ds["latitude"].ReadFloat());
        Assert.Equal(Enumerable.Range(0, 36).Select(i => 10f * i), ds["longitude"].ReadFloat());
        var start = new DateTime(2024, 6, 3, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => start.AddHours(6 * i)), CfTime.Decode(ds["time"]));
    }

    [Fact]
    public void IFS_temperature_first_field_matches_the_ecCodes_statistics()
    {
        using var ds = NetCdfDataset.Open(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"));
        var field = ds["t"].ReadFloat([0, 0, 0, 0], [1, 1, 19, 36]);

        Assert.Equal(19 * 36, field.Length);
        Assert.Equal(248.545, Math.Round(field.Min(), 3));
        Assert.Equal(311.027, Math.Round(field.Max(), 3));
        Assert.Equal(282.811, Math.Round(field.Average(v => (double)v), 3));

        // The hyperslab is the first slice of the whole variable.
        Assert.Equal(field, ds["t"].ReadFloat().Take(field.Length));
    }

    [Fact]
    public void ERA5_ensemble_file_geopotential_at_500_hPa_matches_the_ecCodes_statistics_per_member()
    {
        using var ds = NetCdfDataset.Open(SharedData.File("era5-2017-01-01", "era5-levels-members.nc"));
        Assert.Equal(
            [("time", 4L), ("number", 10L), ("level", 2L), ("latitude", 61L), ("longitude", 120L)],
            ds["z"].Dimensions.Select(d => (d.Name, d.Length)));
        var level500 = Array.IndexOf(ds["level"].ReadLong(), 500L);
        Assert.True(level500 >= 0);

        var member0 = ds["z"].ReadFloat([0, 0, level500, 0, 0], [1, 1, 1, 61, 120]);
        Assert.Equal(46728.0, Math.Round(member0.Min(), 1));
        Assert.Equal(58127.5, Math.Round(member0.Max(), 1));
        Assert.Equal(53995.2, Math.Round(member0.Average(v => (double)v), 1));

        var member1 = ds["z"].ReadFloat([0, 1, level500, 0, 0], [1, 1, 1, 61, 120]);
        Assert.Equal(46739.4, Math.Round(member1.Min(), 1));
        Assert.Equal(58130.1, Math.Round(member1.Max(), 1));
        Assert.Equal(53995.4, Math.Round(member1.Average(v => (double)v), 1));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), ds["number"].ReadLong());
        var start = new DateTime(2017, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => start.AddHours(12 * i)), CfTime.Decode(ds["time"]));
    }

    [Fact]
    public void NetCdf_C_features_unlimited_and_dimension_only_scales_packing_big_endian_text_and_64_bit_types_read_correctly()
    {
        using var ds = NetCdfDataset.Open(ClassicFormatTests.Fixture("features.nc"));

        Assert.Equal([new NetCdfDimension("time", 2, true), new NetCdfDimension("station", 3), new NetCdfDimension("nchar", 4)], ds.Dimensions.Values);
        Assert.DoesNotContain("station", ds.Variables.Keys);
        Assert.Equal("time", ds.Variables.Keys.First());
        Assert.Equal(["big", "code", "counts", "flags", "label", "scalar_v", "temp", "time", "ucounts"], ds.Variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("netCDF-4 features for the reader", ds.Attributes["title"].GetText());
        Assert.Equal(3, ds.Attributes["version"].GetDouble());
        Assert.Equal([0.5, 0.25], ds.Attributes["ratios"].GetDoubles());

        Assert.Equal(
            [new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2000, 1, 1, 6, 0, 0, DateTimeKind.Utc)],
            CfTime.Decode(ds["time"]));

        // Shuffle + deflate chunked shorts, packed, with a fill value: 273.15 + 0.01 · stored.
        var temp = ds["temp"];
        Assert.Equal(["time", "station"], temp.DimensionNames);
        Assert.Equal(new short[] { 0, 100, -32767, 1, -32767, 2 }, temp.ReadRaw());
        var expected = new[] { 273.15f + 0f, 273.15f + 1f, float.NaN, 273.15f + 0.01f, float.NaN, 273.15f + 0.02f };
        var actual = temp.ReadDouble();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(float.IsNaN(expected[i]), double.IsNaN(actual[i]));
            Assert.Equal(expected[i], actual[i], 1e-4);
        }

        Assert.Equal(new short[] { 1, -32767 }, temp.ReadRaw([1, 0], [1, 2]));

        Assert.Equal(new[] { 1, -2, int.MaxValue }, ds["big"].ReadRaw());  // stored big-endian
        Assert.Equal(["station", "nchar"], ds["code"].DimensionNames);
        Assert.Equal("ab\0\0cdefg\0\0\0"u8.ToArray(), ds["code"].ReadRaw());
        Assert.Equal(NetCdfType.String, ds["label"].Type);
        Assert.Equal(new[] { "first", "", "third" }, ds["label"].ReadRaw());
        Assert.Equal(0, ds["scalar_v"].Rank);
        Assert.Equal([1.5f], ds["scalar_v"].ReadFloat());
        Assert.Equal("a scalar", ds["scalar_v"].TextAttribute("comment"));
        Assert.Equal(new[] { "a", "bc" }, ds["scalar_v"].Attributes["tags"].Values);
        Assert.Equal(new[] { -9_000_000_000L, 0, 9_000_000_000 }, ds["counts"].ReadLong());
        Assert.Equal(new ulong[] { 0, 1, ulong.MaxValue }, ds["ucounts"].ReadRaw());
        Assert.Equal(NetCdfType.UByte, ds["flags"].Type);
        Assert.Equal(new[] { 1, double.NaN, 3 }, ds["flags"].ReadDouble());
    }

    [Fact]
    public void An_unlimited_dimension_without_coordinate_variable_takes_the_length_of_its_variables()
    {
        // netCDF-C leaves the dimension-only scale of "rec" at 0 elements while v and w grow to 3 records.
        using var ds = NetCdfDataset.Open(ClassicFormatTests.Fixture("unlimited-no-coordinate.nc"));
        Assert.Equal([new NetCdfDimension("rec", 3, IsUnlimited: true), new NetCdfDimension("x", 2)], ds.Dimensions.Values);
        Assert.Equal(["v", "w"], ds.Variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["rec", "x"], ds["v"].DimensionNames);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], ds["v"].ReadFloat());
        Assert.Equal([7L, 8L, -2147483647L], ds["w"].ReadLong()); // the last record holds int's default fill
    }

    [Fact]
    public void Dimensions_come_from_DIMENSION_LIST_references_when_scales_carry_no_netCDF_ids()
    {
        var path = _dir.File("dimension-list.h5");
        var lat = Scale(new float[] { -10, 0, 10 }, "lat");
        var lon = Scale(new double[] { 0, 90, 180 }, "lon");
        var x = new H5Dataset(Enumerable.Range(0, 9).Select(i => (short)i).ToArray(), fileDims: [3, 3])
        {
            Attributes = new()
            {
                // lon first: the references, not the lengths (equal here), decide the dimensions.
                ["DIMENSION_LIST"] = new H5ObjectReference[][] { [lon], [lat] },
                ["scale_factor"] = 0.5f,
            },
        };
        new H5File { ["lat"] = lat, ["lon"] = lon, ["x"] = x }.Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(["lat", "lon"], ds.Dimensions.Keys);
        Assert.Equal(["lon", "lat"], ds["x"].DimensionNames);
        Assert.Equal(["lat"], ds["lat"].DimensionNames);
        Assert.Equal([-10f, 0f, 10f], ds["lat"].ReadFloat());
        Assert.Equal(Enumerable.Range(0, 9).Select(i => 0.5f * i), ds["x"].ReadFloat());
        Assert.Equal([1.5f, 2f, 2.5f], ds["x"].ReadFloat([1, 0], [1, 3]));
    }

    [Fact]
    public void Dimensions_come_from_Netcdf4Coordinates_ids_when_there_is_no_DIMENSION_LIST()
    {
        var path = _dir.File("coordinates.h5");
        var a = Scale(new float[] { 1, 2 }, "a", dimId: 1);
        var b = Scale(new float[] { 1, 2 }, "b", dimId: 0);
        var v = new H5Dataset(new float[] { 1, 2, 3, 4 }, fileDims: [2, 2]) { Attributes = new() { ["_Netcdf4Coordinates"] = new[] { 1, 0 } } };
        new H5File { ["a"] = a, ["b"] = b, ["v"] = v }.Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(["b", "a"], ds.Dimensions.Keys);
        Assert.Equal(["a", "b"], ds["v"].DimensionNames);
    }

    [Fact]
    public void Dimensions_come_from_the_scales_REFERENCE_LISTs_when_the_variable_names_none()
    {
        // v(b, a) written by netCDF-C, then its DIMENSION_LIST and _Netcdf4Coordinates deleted (Fixtures/README.md):
        // only the scales' back-references still say that axis 0 is b. Equal lengths make a length match pick (a, b).
        using var ds = NetCdfDataset.Open(ClassicFormatTests.Fixture("reference-list.nc"));
        Assert.Equal(["a", "b"], ds.Dimensions.Keys);
        Assert.Equal(["b", "a"], ds["v"].DimensionNames);
        Assert.Equal([1f, 2f, 3f, 4f], ds["v"].ReadFloat());
    }

    [Fact]
    public void Plain_HDF5_datasets_get_dimensions_by_length_and_phony_dimensions_where_none_fits()
    {
        var path = _dir.File("plain.h5");
        var level = Scale(new[] { 500, 850 }, "level");
        var field = new H5Dataset(new float[2 * 5], fileDims: [2, 5]);
        var other = new H5Dataset(new double[5], fileDims: [5]);
        new H5File { ["level"] = level, ["field"] = field, ["other"] = other }.Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(["level", "phony_dim_0"], ds["field"].DimensionNames);
        Assert.Equal(["phony_dim_0"], ds["other"].DimensionNames);
        Assert.Equal(new NetCdfDimension("phony_dim_0", 5), ds.Dimension("phony_dim_0"));
        Assert.Equal([500L, 850L], ds["level"].ReadLong());
    }

    private static H5Dataset Scale(Array values, string name, int? dimId = null)
    {
        var scale = new H5Dataset(values, fileDims: [(ulong)values.Length])
        {
            Attributes = new() { ["CLASS"] = "DIMENSION_SCALE", ["NAME"] = name },
        };
        if (dimId is { } id)
        {
            scale.Attributes["_Netcdf4Dimid"] = id;
        }

        return scale;
    }
}
