using System.Buffers.Binary;
using System.Text;
using GraphCast.Formats.Npy;
using GraphCast.Testing;

namespace GraphCast.Formats.Tests.Npy;

/// <summary>The .npy codec reads numpy's bytes, writes numpy's headers, round-trips every dtype and refuses what it cannot read.</summary>
public sealed class NpyFormatTests
{
    /// <summary>numpy 1.x/2.x header of a float32 (2, 3) array: the dict, 20 growth spaces + 38 alignment spaces, '\n' — 118 bytes.</summary>
    private const string Float32TwoByThreeHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

    [Fact]
    public void Version_1_header_as_numpy_writes_it_parses_to_a_float32_2x3_array()
    {
        byte[] file = NumpyV1(Float32TwoByThreeHeader, padding: 58, FloatBytes(0f, 1f, 2f, 3f, 4f, 5f));
        Assert.Equal((byte)'v', file[8]);
        Assert.Equal(0, file[9]);

        var array = NpyFormat.Read(new MemoryStream(file), "w.npy");

        Assert.Equal(NpyDtype.Float32, array.Dtype);
        Assert.Equal([2L, 3L], array.Shape);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], array.ToFloatArray());
    }

    [Fact]
    public void Writer_emits_the_header_bytes_numpy_writes()
    {
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, NpyArray.FromFloats([0f, 1f, 2f, 3f, 4f, 5f], [2, 3]));

        byte[] expected = NumpyV1(Float32TwoByThreeHeader, padding: 58, FloatBytes(0f, 1f, 2f, 3f, 4f, 5f));
        Assert.Equal(expected, stream.ToArray());
        Assert.Equal(128 + 24, stream.Length);
    }

    [Fact]
    public void Writer_pads_a_0d_header_without_growth_space_as_numpy_does()
    {
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, NpyArray.FromScalar(0.5));

        // shape () has no growth axis: 55 characters + 62 spaces + '\n' = 118 bytes after the 10-byte prefix.
        byte[] expected = NumpyV1("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", padding: 62, BitConverter.GetBytes(0.5));
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Writer_pads_a_1d_header_with_growth_space_for_its_first_axis()
    {
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, NpyArray.FromLongs([1, 2, 3]));

        // 57 characters + (21 - 1) growth spaces + 40 alignment spaces + '\n' = 118 bytes.
        byte[] expected = NumpyV1("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", padding: 60, LongBytes(1, 2, 3));
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Growth_space_can_push_the_header_into_the_next_64_byte_block_as_in_numpy()
    {
        // 16 axes of 1: the dict is 101 characters; with numpy's 20 growth spaces 10 + 101 + 20 + 1 = 132 > 128,
        // so numpy pads to 192 (header length 182), where the dict alone would have fit in 128.
        long[] shape = Enumerable.Repeat(1L, 16).ToArray();
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, NpyArray.FromFloats([2f], shape));

        Assert.Equal(182, BinaryPrimitives.ReadUInt16LittleEndian(stream.GetBuffer().AsSpan(8)));
        Assert.Equal(192 + 4, stream.Length);
    }

    [Fact]
    public void Unicode_scalar_as_numpy_writes_it_reads_as_its_string()
    {
        // np.save(f, np.array("12h")): dtype <U3, UTF-32LE code points.
        byte[] data = Encoding.UTF32.GetBytes("12h");
        byte[] file = NumpyV1("{'descr': '<U3', 'fortran_order': False, 'shape': (), }", padding: 62, data);

        var array = NpyFormat.Read(new MemoryStream(file));

        Assert.Equal(NpyDtype.Unicode, array.Dtype);
        Assert.Equal(3, array.UnicodeLength);
        Assert.Empty(array.Shape);
        Assert.Equal("12h", array.ToScalarString());
    }

    [Fact]
    public void Version_2_header_parses()
    {
        byte[] file = NumpyV2OrV3(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", FloatBytes(1.5f, -2f));

        var array = NpyFormat.Read(new MemoryStream(file));

        Assert.Equal([2L], array.Shape);
        Assert.Equal([1.5f, -2f], array.ToFloatArray());
    }

    [Fact]
    public void Version_3_header_is_read_as_utf8()
    {
        byte[] file = NumpyV2OrV3(3, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }", IntBytes(7, -9));

        var array = NpyFormat.Read(new MemoryStream(file));

        Assert.Equal([1L, 2L], array.Shape);
        Assert.Equal([7, -9], array.ToIntArray());
    }

    [Fact]
    public void Python_2_long_suffixes_in_the_shape_are_accepted()
    {
        byte[] file = NumpyV1("{'descr': '<i8', 'fortran_order': False, 'shape': (1L, 2L), }", padding: 10, LongBytes(4, 5));

        var array = NpyFormat.Read(new MemoryStream(file));

        Assert.Equal([1L, 2L], array.Shape);
        Assert.Equal([4L, 5L], array.ToLongArray());
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    [InlineData("float16")]
    [InlineData("int64")]
    [InlineData("int32")]
    [InlineData("uint8")]
    [InlineData("bool")]
    [InlineData("unicode")]
    [InlineData("float64-0d")]
    [InlineData("int64-0d")]
    [InlineData("unicode-0d")]
    [InlineData("float32-empty")]
    [InlineData("float32-3d")]
    public void Every_dtype_round_trips_bit_for_bit(string kind)
    {
        var array = NpySamples.Sample(kind);
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, array);
        Assert.Equal(0, (stream.Length - array.Data.Length) % 64);

        stream.Position = 0;
        var read = NpyFormat.Read(stream);

        Assert.Equal(array, read);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void Header_longer_than_65535_bytes_is_written_as_version_2()
    {
        long[] shape = Enumerable.Repeat(1L, 22_000).ToArray();
        var array = NpyArray.FromFloats([3.25f], shape);
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, array);

        byte[] bytes = stream.ToArray();
        Assert.Equal(2, bytes[6]);
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0u, (12 + headerLength) % 64);
        Assert.Equal(array, NpyFormat.Read(new MemoryStream(bytes)));
    }

    [Fact]
    public void Fortran_order_is_refused_naming_the_entry()
    {
        byte[] file = NumpyV1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", padding: 10, FloatBytes(0, 1, 2, 3, 4, 5));

        var error = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new MemoryStream(file), "params:m:w.npy"));

        Assert.Contains("'params:m:w.npy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fortran-order", error.Message, StringComparison.Ordinal);
        Assert.Contains("np.ascontiguousarray", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Big_endian_data_is_refused_naming_the_entry()
    {
        byte[] file = NumpyV1("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", padding: 10, FloatBytes(1, 2));

        var error = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new MemoryStream(file), "b.npy"));

        Assert.Contains("'b.npy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("big-endian ('>f4')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_byte_dtypes_ignore_the_byte_order_mark()
    {
        byte[] file = NumpyV1("{'descr': '>u1', 'fortran_order': False, 'shape': (2,), }", padding: 10, [7, 9]);

        var array = NpyFormat.Read(new MemoryStream(file));

        Assert.Equal(NpyDtype.UInt8, array.Dtype);
        Assert.Equal([(byte)7, (byte)9], array.Data);
    }

    [Theory]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "'<c8', which is not supported")]
    [InlineData("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", "structured dtype")]
    [InlineData("{'descr': '<f4', 'shape': (1,), }", "exactly the keys")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", "not a Python dict literal")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", "not a tuple of non-negative ints")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", "not True or False")]
    public void Malformed_headers_are_refused_with_the_reason(string header, string reason)
    {
        byte[] file = NumpyV1(header, padding: 3, FloatBytes(1));

        var error = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new MemoryStream(file), "x.npy"));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("'x.npy'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_data_is_refused_with_both_sizes()
    {
        byte[] file = NumpyV1(Float32TwoByThreeHeader, padding: 58, FloatBytes(0, 1, 2, 3, 4));

        var seekable = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new MemoryStream(file), "t.npy"));
        var forwardOnly = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new NonSeekableStream(new MemoryStream(file)), "t.npy"));

        Assert.Contains("(24 bytes) but only 20 bytes", seekable.Message, StringComparison.Ordinal);
        Assert.Contains("(24 bytes) but only 20 bytes", forwardOnly.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_without_the_magic_string_are_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new MemoryStream("PK\u0003\u0004 not numpy"u8.ToArray()), "z.npy"));

        Assert.Contains("magic string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_format_versions_are_refused()
    {
        byte[] file = NumpyV1(Float32TwoByThreeHeader, padding: 58, FloatBytes(0, 1, 2, 3, 4, 5));
        file[6] = 4;

        var error = Assert.Throws<InvalidDataException>(() => NpyFormat.Read(new MemoryStream(file)));

        Assert.Contains("version 4.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bfloat16_cannot_be_written_to_npy()
    {
        var array = new NpyArray(NpyDtype.BFloat16, [1], [0x80, 0x3F]);

        var error = Assert.Throws<ArgumentException>(() => NpyFormat.Write(new MemoryStream(), array));

        Assert.Contains("bfloat16 has no .npy dtype", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An array of each kind the round-trip theory names, with awkward values (NaN payloads, -0, non-ASCII text).</summary>

    /// <summary>A version 1.0 file: magic, version, uint16 header length, the header text, <paramref name="padding"/> spaces, '\n', data.</summary>
    internal static byte[] NumpyV1(string header, int padding, byte[] data)
    {
        byte[] text = Encoding.Latin1.GetBytes(header + new string(' ', padding) + "\n");
        var bytes = new List<byte>();
        bytes.AddRange([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        bytes.AddRange(BitConverter.GetBytes((ushort)text.Length));
        bytes.AddRange(text);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    /// <summary>A version 2.0 or 3.0 file, aligned to 64 bytes after the 12-byte prefix as numpy does.</summary>
    private static byte[] NumpyV2OrV3(byte major, string header, byte[] data)
    {
        int padding = 64 - ((12 + header.Length + 1) % 64);
        byte[] text = Encoding.UTF8.GetBytes(header + new string(' ', padding) + "\n");
        var bytes = new List<byte>();
        bytes.AddRange([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0]);
        bytes.AddRange(BitConverter.GetBytes((uint)text.Length));
        bytes.AddRange(text);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    private static byte[] FloatBytes(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] LongBytes(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] IntBytes(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
