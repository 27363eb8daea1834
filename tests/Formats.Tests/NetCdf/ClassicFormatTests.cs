using System.Buffers.Binary;
using GraphCast.Testing;
using GraphCast.Formats.NetCdf;

namespace GraphCast.Formats.Tests.NetCdf;

/// <summary>The classic formats (CDF-1, CDF-2, CDF-5): writer → reader round trips, the byte layout of the specification, and files written by netCDF-C.</summary>
public sealed class ClassicFormatTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(NetCdfFormat.Classic)]
    [InlineData(NetCdfFormat.Offset64)]
    [InlineData(NetCdfFormat.Cdf5)]
    public void Every_classic_type_round_trips_exactly_with_record_variables_and_attributes(NetCdfFormat format)
    {
        sbyte[] bytes = [-128, -1, 0, 1, 127];
        var chars = "hello".ToCharArray();
        short[] shorts = [short.MinValue, -2, 0, 3, short.MaxValue];
        int[] ints = [int.MinValue, -5, 0, 7, int.MaxValue];
        float[] floats = [float.MinValue, -0.5f, float.Epsilon, 1e30f, float.MaxValue];
        double[] doubles = [double.MinValue, -1e-300, 0, Math.PI, double.MaxValue];

        // Record variables of odd slab sizes (3 bytes, 6 bytes) exercise the padding between slabs of a record.
        sbyte[] recordBytes = [1, 2, 3, 4, 5, 6];
        short[] recordShorts = [10, 11, 12, 13, 14, 15];
        double[] times = [0, 6];
        var path = _dir.File($"types-{format}.nc");
        new NetCdfClassicWriter(format)
            .AddAttribute("title", "every type")
            .AddAttribute("version", 2)
            .AddAttribute("weights", new[] { 0.25, 0.75 })
            .AddAttribute("flags", new sbyte[] { -1, 1, 2 })
            .AddDimension("time", 2, isUnlimited: true)
            .AddDimension("n", 5)
            .AddDimension("three", 3)
            .AddVariable("vb", ["n"], bytes)
            .AddVariable("vc", ["n"], chars)
            .AddVariable("vs", ["n"], shorts, [NetCdfAttribute.Create("valid_range", new short[] { -3, 3 })])
            .AddVariable("vi", ["n"], ints)
            .AddVariable("vf", ["n"], floats, [NetCdfAttribute.Create("units", "K")])
            .AddVariable("vd", ["n"], doubles)
            .AddVariable("time", ["time"], times, [NetCdfAttribute.Create("units", "hours since 2000-01-01")])
            .AddVariable("rb", ["time", "three"], recordBytes)
            .AddVariable("rs", ["time", "three"], recordShorts)
            .Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(format, ds.Format);
        Assert.Equal(["time", "n", "three"], ds.Dimensions.Keys);
        Assert.Equal(new NetCdfDimension("time", 2, IsUnlimited: true), ds.Dimension("time"));
        Assert.Equal(new NetCdfDimension("n", 5), ds.Dimension("n"));
        Assert.Equal(["title", "version", "weights", "flags"], ds.Attributes.Keys);
        Assert.Equal("every type", ds.Attributes["title"].GetText());
        Assert.Equal(NetCdfType.Int, ds.Attributes["version"].Type);
        Assert.Equal(2, ds.Attributes["version"].GetDouble());
        Assert.Equal([0.25, 0.75], ds.Attributes["weights"].GetDoubles());
        Assert.Equal(new sbyte[] { -1, 1, 2 }, ds.Attributes["flags"].Values);

        Assert.Equal(["vb", "vc", "vs", "vi", "vf", "vd", "time", "rb", "rs"], ds.Variables.Keys);
        Assert.Equal(bytes, ds["vb"].ReadRaw());
        Assert.Equal("hello"u8.ToArray(), ds["vc"].ReadRaw());
        Assert.Equal(NetCdfType.Char, ds["vc"].Type);
        Assert.Equal(shorts, ds["vs"].ReadRaw());
        Assert.Equal(new short[] { -3, 3 }, ds["vs"].Attributes["valid_range"].Values);
        Assert.Equal(ints, ds["vi"].ReadRaw());
        Assert.Equal(floats, ds["vf"].ReadRaw());
        Assert.Equal(floats, ds["vf"].ReadFloat());
        Assert.Equal("K", ds["vf"].Units);
        Assert.Equal(doubles, ds["vd"].ReadRaw());
        Assert.Equal(doubles, ds["vd"].ReadDouble());
        Assert.Equal(times, ds["time"].ReadDouble());
        Assert.True(ds["time"].IsCoordinate);
        Assert.Equal(recordBytes, ds["rb"].ReadRaw());
        Assert.Equal(recordShorts, ds["rs"].ReadRaw());
        Assert.Equal([2L, 3L], ds["rs"].Shape);
        Assert.Equal(ints.Select(i => (long)i), ds["vi"].ReadLong());
        Assert.Equal(shorts.Select(s => (double)s), ds["vs"].ReadDouble());
    }

    [Fact]
    public void Cdf5_round_trips_unsigned_and_64_bit_integers()
    {
        byte[] ubytes = [0, 200, 255];
        ushort[] ushorts = [0, 40000, 65535];
        uint[] uints = [0, 3_000_000_000, uint.MaxValue];
        long[] longs = [long.MinValue, -1, long.MaxValue];
        ulong[] ulongs = [0, 1UL << 63, ulong.MaxValue];
        long[] recordLongs = [5_000_000_000, -7];
        var path = _dir.File("cdf5.nc");
        new NetCdfClassicWriter(NetCdfFormat.Cdf5)
            .AddAttribute("big", new[] { 5_000_000_000L })
            .AddDimension("t", 2, isUnlimited: true)
            .AddDimension("x", 3)
            .AddVariable("ub", ["x"], ubytes)
            .AddVariable("us", ["x"], ushorts)
            .AddVariable("ui", ["x"], uints)
            .AddVariable("i64", ["x"], longs)
            .AddVariable("u64", ["x"], ulongs)
            .AddVariable("r64", ["t"], recordLongs)
            .Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(NetCdfFormat.Cdf5, ds.Format);
        Assert.Equal(NetCdfType.Int64, ds.Attributes["big"].Type);
        Assert.Equal(new[] { 5_000_000_000L }, ds.Attributes["big"].Values);
        Assert.Equal(ubytes, ds["ub"].ReadRaw());
        Assert.Equal(ushorts, ds["us"].ReadRaw());
        Assert.Equal(uints, ds["ui"].ReadRaw());
        Assert.Equal(longs, ds["i64"].ReadRaw());
        Assert.Equal(ulongs, ds["u64"].ReadRaw());
        Assert.Equal(recordLongs, ds["r64"].ReadLong());
        Assert.Equal(uints.Select(u => (long)u), ds["ui"].ReadLong());
        var overflow = Assert.Throws<OverflowException>(() => ds["u64"].ReadLong());
        Assert.Contains("u64", overflow.Message);
    }

    [Fact]
    public void Packed_shorts_unpack_with_scale_and_offset_and_fill_values_become_NaN()
    {
        short[] packed = [0, 100, -32767, -1, 32000, -5];
        var path = _dir.File("packed.nc");
        new NetCdfClassicWriter()
            .AddDimension("x", 6)
            .AddVariable("t", ["x"], packed,
            [
                NetCdfAttribute.Create("scale_factor", 0.5f),
                NetCdfAttribute.Create("add_offset", 273.0),
                NetCdfAttribute.Create("_FillValue", (short)-32767),
                NetCdfAttribute.Create("missing_value", (short)-5),
            ])
            .Write(path);

        using var ds = NetCdfDataset.Open(path);
        var t = ds["t"];
        Assert.True(t.IsPacked);
        Assert.Equal(new[] { 273.0, 323.0, double.NaN, 272.5, 16273.0, double.NaN }, t.ReadDouble());
        Assert.Equal(new[] { 273f, 323f, float.NaN, 272.5f, 16273f, float.NaN }, t.ReadFloat());
        Assert.Equal(packed, t.ReadRaw());
        var e = Assert.Throws<InvalidOperationException>(() => t.ReadLong());
        Assert.Contains("ReadDouble", e.Message);
    }

    [Fact]
    public void Float_fill_values_become_NaN_and_unsigned_bytes_follow_the_Unsigned_attribute()
    {
        var path = _dir.File("fill.nc");
        new NetCdfClassicWriter()
            .AddDimension("x", 4)
            .AddVariable("f", ["x"], new[] { 1f, 9.96921e36f, -2f, 9.96921e36f }, [NetCdfAttribute.Create("_FillValue", 9.96921e36f)])
            .AddVariable("u", ["x"], new sbyte[] { -1, 0, -128, 127 }, [NetCdfAttribute.Text("_Unsigned", "true"), NetCdfAttribute.Create("_FillValue", (sbyte)-1)])
            .Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(new[] { 1f, float.NaN, -2f, float.NaN }, ds["f"].ReadFloat());
        Assert.Equal(new[] { double.NaN, 0, 128, 127 }, ds["u"].ReadDouble());
        Assert.Equal(new long[] { 255, 0, 128, 127 }, ds["u"].ReadLong());
    }

    [Fact]
    public void Hyperslabs_of_fixed_and_record_variables_match_the_C_order_slices()
    {
        // a[t, y, x] = 100 t + 10 y + x, as a record variable beside a second one, and as a fixed-size variable.
        var values = Enumerable.Range(0, 4 * 3 * 5).Select(i => (float)(i / 15 * 100 + i / 5 % 3 * 10 + i % 5)).ToArray();
        var path = _dir.File("slabs.nc");
        new NetCdfClassicWriter()
            .AddDimension("t", 4, isUnlimited: true)
            .AddDimension("tt", 4)
            .AddDimension("y", 3)
            .AddDimension("x", 5)
            .AddVariable("rec", ["t", "y", "x"], values)
            .AddVariable("other", ["t"], new short[] { 1, 2, 3, 4 })
            .AddVariable("fixed", ["tt", "y", "x"], values)
            .Write(path);

        using var ds = NetCdfDataset.Open(path);
        foreach (var name in new[] { "rec", "fixed" })
        {
            var v = ds[name];
            Assert.Equal(values, v.ReadFloat());
            Assert.Equal([201f, 202f, 203f, 211f, 212f, 213f], v.ReadFloat([2, 0, 1], [1, 2, 3]));
            Assert.Equal([14f, 24f, 114f, 124f, 214f, 224f], v.ReadFloat([0, 1, 4], [3, 2, 1]));
            Assert.Equal(values.Skip(15).Take(30), v.ReadFloat([1, 0, 0], [2, 3, 5]));
            Assert.Empty(v.ReadFloat([1, 0, 0], [0, 3, 5]));
        }

        Assert.Equal(new short[] { 2, 3 }, ds["other"].ReadRaw([1], [2]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ds["rec"].ReadFloat([0, 2, 0], [1, 2, 5]));
        Assert.Contains("'y'", e.Message);
    }

    [Fact]
    public void Header_follows_the_classic_format_specification_byte_for_byte()
    {
        var stream = new MemoryStream();
        new NetCdfClassicWriter()
            .AddDimension("t", 2, isUnlimited: true)
            .AddDimension("x", 3)
            .AddVariable("c", ["x"], "abc".ToCharArray())
            .AddVariable("r", ["t", "x"], new short[] { 1, 2, 3, 4, 5, 6 })
            .Write(stream);
        var b = stream.ToArray();
        int Int(int at) => BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(at));

        Assert.Equal("CDF\x01"u8.ToArray(), b[..4]);
        Assert.Equal(2, Int(4));                          // numrecs
        Assert.Equal([0x0A, 2], [Int(8), Int(12)]);       // NC_DIMENSION, 2 dimensions
        Assert.Equal([1, 't' << 24, 0], [Int(16), Int(20), Int(24)]);  // "t", padded; length 0 = record dimension
        Assert.Equal([1, 'x' << 24, 3], [Int(28), Int(32), Int(36)]);
        Assert.Equal([0, 0], [Int(40), Int(44)]);         // gatt_list ABSENT
        Assert.Equal([0x0B, 2], [Int(48), Int(52)]);      // NC_VARIABLE, 2 variables
        Assert.Equal([1, 'c' << 24, 1, 1], [Int(56), Int(60), Int(64), Int(68)]);  // "c", rank 1, dimid 1
        Assert.Equal([0, 0, 2, 4], [Int(72), Int(76), Int(80), Int(84)]);          // vatt ABSENT, NC_CHAR, vsize 3 → 4
        var headerSize = 88 + 4 + 40;
        Assert.Equal(headerSize, Int(88));                // begin of c: right after the header
        Assert.Equal([1, 'r' << 24, 2, 0, 1], [Int(92), Int(96), Int(100), Int(104), Int(108)]);
        Assert.Equal([0, 0, 3, 8], [Int(112), Int(116), Int(120), Int(124)]);      // NC_SHORT, vsize 6 → 8
        Assert.Equal(headerSize + 4, Int(128));           // begin of r: after c's padded data
        Assert.Equal("abc\0"u8.ToArray(), b[headerSize..(headerSize + 4)]);  // char padding is the char fill, NUL

        // A lone record variable's records are not padded: 6 bytes per record, 2 records.
        Assert.Equal(headerSize + 4 + 12, b.Length);
        Assert.Equal(new byte[] { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6 }, b[(headerSize + 4)..]);
    }

    [Fact]
    public void Data_padding_holds_the_fill_value_and_records_of_several_variables_are_padded()
    {
        var stream = new MemoryStream();
        new NetCdfClassicWriter()
            .AddDimension("t", 1, isUnlimited: true)
            .AddDimension("x", 3)
            .AddVariable("b", ["x"], new sbyte[] { 1, 2, 3 })
            .AddVariable("r1", ["t", "x"], new short[] { 7, 8, 9 }, [NetCdfAttribute.Create("_FillValue", (short)-2)])
            .AddVariable("r2", ["t"], new sbyte[] { 5 })
            .Write(stream);
        var b = stream.ToArray();

        // b: 3 bytes + the byte fill -127 (0x81); record: r1 (6 bytes + one short fill -2), r2 (1 byte + three byte fills).
        Assert.Equal(new byte[] { 1, 2, 3, 0x81, 0, 7, 0, 8, 0, 9, 0xFF, 0xFE, 5, 0x81, 0x81, 0x81 }, b[^16..]);
    }

    [Fact]
    public void Streaming_numrecs_is_recovered_from_the_file_length()
    {
        var stream = new MemoryStream();
        new NetCdfClassicWriter()
            .AddDimension("t", 3, isUnlimited: true)
            .AddVariable("r", ["t"], new[] { 1.5, 2.5, 3.5 })
            .Write(stream);
        var b = stream.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), uint.MaxValue); // STREAMING
        var path = _dir.File("streaming.nc");
        File.WriteAllBytes(path, b);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(3, ds.Dimension("t").Length);
        Assert.Equal([1.5, 2.5, 3.5], ds["r"].ReadDouble());
    }

    [Fact]
    public void Scalar_variables_and_empty_record_dimensions_round_trip()
    {
        var path = _dir.File("scalar.nc");
        new NetCdfClassicWriter(NetCdfFormat.Offset64)
            .AddDimension("t", 0, isUnlimited: true)
            .AddVariable("s", [], new[] { 2.5f }, [NetCdfAttribute.Text("long_name", "a scalar")])
            .AddVariable("r", ["t"], Array.Empty<int>())
            .Write(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(0, ds["s"].Rank);
        Assert.Equal(1, ds["s"].Length);
        Assert.Equal([2.5f], ds["s"].ReadFloat());
        Assert.Equal("a scalar", ds["s"].TextAttribute("long_name"));
        Assert.Equal(new NetCdfDimension("t", 0, IsUnlimited: true), ds.Dimension("t"));
        Assert.Empty(ds["r"].ReadLong());
    }

    [Fact]
    public void A_netCDF_C_classic_file_with_one_record_variable_of_odd_slab_size_reads_correctly()
    {
        using var ds = NetCdfDataset.Open(Fixture("classic-one-record.nc"));
        Assert.Equal(NetCdfFormat.Classic, ds.Format);
        Assert.Equal("one record variable of odd slab size", ds.Attributes["title"].GetText());
        Assert.Equal(new NetCdfDimension("time", 3, IsUnlimited: true), ds.Dimension("time"));
        Assert.Equal(new short[] { 1, 2, 3, 4, 5, 6, 7, -99, 9 }, ds["s"].ReadRaw());
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, double.NaN, 9 }, ds["s"].ReadDouble());
        Assert.Equal(new short[] { 4, 7 }, ds["s"].ReadRaw([1, 0], [2, 1]));
        Assert.Equal(new sbyte[] { -1, 0, 127 }, ds["b"].ReadRaw());
        Assert.Equal("abc"u8.ToArray(), ds["c"].ReadRaw());
        Assert.Equal([3.25], ds["d"].ReadDouble());
        Assert.Equal("scalar", ds["d"].TextAttribute("note"));
    }

    [Fact]
    public void A_netCDF_C_cdf5_file_reads_every_type()
    {
        using var ds = NetCdfDataset.Open(Fixture("cdf5-types.nc"));
        Assert.Equal(NetCdfFormat.Cdf5, ds.Format);
        Assert.Equal(new sbyte[] { -128, 127 }, ds["vb"].ReadRaw());
        Assert.Equal(new byte[] { 0, 255 }, ds["vub"].ReadRaw());
        Assert.Equal(new short[] { -32768, 32767 }, ds["vs"].ReadRaw());
        Assert.Equal(new ushort[] { 0, 65535 }, ds["vus"].ReadRaw());
        Assert.Equal(new[] { int.MinValue, int.MaxValue }, ds["vi"].ReadRaw());
        Assert.Equal(new uint[] { 0, 4294967294 }, ds["vui"].ReadRaw());
        Assert.Equal(new[] { -long.MaxValue, long.MaxValue }, ds["vi64"].ReadRaw());
        Assert.Equal(new ulong[] { 0, ulong.MaxValue - 1 }, ds["vui64"].ReadRaw());
        Assert.Equal(new[] { -1.5f, 3.4028235e38f }, ds["vf"].ReadRaw());
        Assert.Equal(new[] { 1e-300, -2.5 }, ds["vd"].ReadRaw());
        Assert.Equal(new[] { 10_000_000_000, -3, 7 }, ds["rec64"].ReadLong());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, ds["recub"].ReadRaw());
        Assert.Equal(new byte[] { 1, 200 }, ds["recub"].Attributes["valid"].Values);
        Assert.Equal(new[] { 5_000_000_000L }, ds["recub"].Attributes["big"].Values);
    }

    [Fact]
    public void Writer_refuses_what_the_format_cannot_hold_with_messages_naming_the_input()
    {
        var classic = new NetCdfClassicWriter().AddDimension("x", 2).AddDimension("t", 1, isUnlimited: true);
        Assert.Contains("Cdf5", Assert.Throws<ArgumentException>(() => classic.AddVariable("u", ["x"], new byte[] { 1, 2 })).Message);
        Assert.Contains("'y'", Assert.Throws<ArgumentException>(() => classic.AddVariable("v", ["y"], new[] { 1f })).Message);
        Assert.Contains("needs 2 values", Assert.Throws<ArgumentException>(() => classic.AddVariable("v", ["x"], new[] { 1f })).Message);
        Assert.Contains("first dimension", Assert.Throws<ArgumentException>(() => classic.AddVariable("v", ["x", "t"], new[] { 1f, 2f })).Message);
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => classic.AddDimension("x", 3)).Message);
        Assert.Contains("one", Assert.Throws<ArgumentException>(() => classic.AddDimension("t2", 1, isUnlimited: true)).Message);
        Assert.Contains("uint64", Assert.Throws<ArgumentException>(() => classic.AddAttribute("a", new[] { 1UL })).Message);
        Assert.Throws<ArgumentException>(() => new NetCdfClassicWriter(NetCdfFormat.NetCdf4));
    }

    [Fact]
    public void Opening_files_that_are_not_netCDF_or_are_truncated_fails_with_the_path_in_the_message()
    {
        var text = _dir.File("not.nc");
        File.WriteAllText(text, "hello, world");
        Assert.Contains(text, Assert.Throws<InvalidDataException>(() => NetCdfDataset.Open(text)).Message);

        var stream = new MemoryStream();
        new NetCdfClassicWriter().AddDimension("x", 1000).AddVariable("v", ["x"], new double[1000]).Write(stream);
        var truncated = _dir.File("truncated.nc");
        File.WriteAllBytes(truncated, stream.ToArray()[..200]);
        using var ds = NetCdfDataset.Open(truncated);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => ds["v"].ReadDouble()).Message);

        var header = _dir.File("header.nc");
        File.WriteAllBytes(header, stream.ToArray()[..20]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NetCdfDataset.Open(header)).Message);

        Assert.Throws<FileNotFoundException>(() => NetCdfDataset.Open(_dir.File("absent.nc")));
        using var ok = NetCdfDataset.Open(Fixture("classic-one-record.nc"));
        Assert.Contains("'nope'", Assert.Throws<KeyNotFoundException>(() => ok.Variable("nope")).Message);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'C', (byte)'D', (byte)'F', 1 }, NetCdfFormat.Classic)]
    [InlineData(new byte[] { (byte)'C', (byte)'D', (byte)'F', 2 }, NetCdfFormat.Offset64)]
    [InlineData(new byte[] { (byte)'C', (byte)'D', (byte)'F', 5 }, NetCdfFormat.Cdf5)]
    [InlineData(new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n' }, NetCdfFormat.NetCdf4)]
    public void Formats_are_detected_from_their_magic_bytes(byte[] head, NetCdfFormat expected) =>
        Assert.Equal(expected, NetCdfFormats.Detect(head));

    [Fact]
    public void Unknown_magic_bytes_are_no_format() =>
        Assert.Null(NetCdfFormats.Detect("CDF\x03"u8));

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "NetCdf", "Fixtures", name);
}
