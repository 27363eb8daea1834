using System.Buffers.Binary;
using System.Text;
using GraphCast.Formats.Npy;
using GraphCast.Formats.Safetensors;
using GraphCast.Formats.Tests.Npy;

namespace GraphCast.Formats.Tests.Safetensors;

/// <summary>The safetensors codec writes the reference layout, round-trips every dtype and metadata bit for bit, and names the tensor and file in every error.</summary>
public sealed class SafetensorsFormatTests
{
    [Fact]
    public void Header_is_the_reference_json_padded_with_spaces_to_8_bytes()
    {
        using var stream = new MemoryStream();
        SafetensorsFormat.Write(stream, [new("t", NpyArray.FromFloats([1f, 2f]))]);
        byte[] bytes = stream.ToArray();

        const string json = """{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(56ul, headerLength);
        Assert.Equal(json + new string(' ', 56 - json.Length), Encoding.UTF8.GetString(bytes, 8, 56));
        Assert.Equal(BitConverter.GetBytes(1f).Concat(BitConverter.GetBytes(2f)), bytes[64..]);
    }

    [Fact]
    public void Every_dtype_and_the_metadata_round_trip_bit_for_bit_in_order()
    {
        var tensors = SampleTensors();
        var metadata = new OrderedDictionary<string, string> { ["step"] = "12", ["model_hash"] = "sha256:ab12", ["format"] = "pt" };
        using var stream = new MemoryStream();
        SafetensorsFormat.Write(stream, tensors, metadata);
        stream.Position = 0;

        var read = SafetensorsFormat.Read(stream, "member-3.safetensors");

        Assert.Equal(tensors.Select(t => t.Key), read.Tensors.Keys);
        Assert.All(tensors, pair => Assert.Equal(pair.Value, read.Tensors[pair.Key]));
        Assert.Equal(metadata, read.Metadata);

        using var again = new MemoryStream();
        SafetensorsFormat.Write(again, read.Tensors, read.Metadata);
        Assert.Equal(stream.ToArray(), again.ToArray());
    }

    [Fact]
    public void Files_on_disk_and_forward_only_streams_read_the_same()
    {
        string directory = Directory.CreateTempSubdirectory("safetensors-test-").FullName;
        try
        {
            string path = Path.Combine(directory, "carry.safetensors");
            SafetensorsFormat.Write(path, SampleTensors(), new Dictionary<string, string> { ["step"] = "3" });

            var fromFile = SafetensorsFormat.Read(path);
            using var file = File.OpenRead(path);
            var fromStream = SafetensorsFormat.Read(new NonSeekableStream(file));

            Assert.Equal(fromFile.Tensors.Keys, fromStream.Tensors.Keys);
            Assert.All(fromFile.Tensors, pair => Assert.Equal(pair.Value, fromStream.Tensors[pair.Key]));
            Assert.Equal("3", fromStream.Metadata["step"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Asynchronous_writes_and_reads_give_the_bytes_and_tensors_of_the_synchronous_ones()
    {
        var tensors = SampleTensors();
        var metadata = new Dictionary<string, string> { ["step"] = "4" };
        using var synchronous = new MemoryStream();
        SafetensorsFormat.Write(synchronous, tensors, metadata);
        using var asynchronous = new MemoryStream();

        await SafetensorsFormat.WriteAsync(asynchronous, tensors, metadata);
        asynchronous.Position = 0;
        var fromSeekable = await SafetensorsFormat.ReadAsync(asynchronous, "a.safetensors");
        var fromForwardOnly = await SafetensorsFormat.ReadAsync(new NonSeekableStream(new MemoryStream(synchronous.ToArray())));

        Assert.Equal(synchronous.ToArray(), asynchronous.ToArray());
        foreach (var read in new[] { fromSeekable, fromForwardOnly })
        {
            Assert.Equal(tensors.Select(t => t.Key), read.Tensors.Keys);
            Assert.All(tensors, pair => Assert.Equal(pair.Value, read.Tensors[pair.Key]));
            Assert.Equal("4", read.Metadata["step"]);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(-1)]
    public async Task Asynchronous_reads_refuse_a_cut_file_with_the_message_of_the_synchronous_ones(int keep)
    {
        using var stream = new MemoryStream();
        SafetensorsFormat.Write(stream, SampleTensors());
        byte[] whole = stream.ToArray();
        byte[] cut = whole[..(keep >= 0 ? keep : whole.Length + keep)];

        var synchronous = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new MemoryStream(cut), "cut.safetensors"));
        var asynchronous = await Assert.ThrowsAsync<InvalidDataException>(() => SafetensorsFormat.ReadAsync(new MemoryStream(cut), "cut.safetensors"));
        var forwardOnly = await Assert.ThrowsAsync<InvalidDataException>(() => SafetensorsFormat.ReadAsync(new NonSeekableStream(new MemoryStream(cut)), "cut.safetensors"));

        Assert.Equal(synchronous.Message, asynchronous.Message);
        Assert.Contains("'cut.safetensors'", forwardOnly.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_asynchronous_read_stops_with_cancellation()
    {
        using var stream = new MemoryStream();
        SafetensorsFormat.Write(stream, SampleTensors());
        stream.Position = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SafetensorsFormat.ReadAsync(stream, "c.safetensors", new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Offsets_past_the_data_region_are_refused_naming_tensor_and_file()
    {
        byte[] file = Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", dataBytes: 12);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new MemoryStream(file), "bad.safetensors"));
        var forwardOnly = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new NonSeekableStream(new MemoryStream(file)), "bad.safetensors"));

        Assert.Equal("Tensor 'b' in 'bad.safetensors': data_offsets [8, 16] are out of range; the data region holds 12 bytes.", error.Message);
        Assert.Contains("Tensor 'b' in 'bad.safetensors'", forwardOnly.Message, StringComparison.Ordinal);
        Assert.Contains("run past the end of the file", forwardOnly.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_size_that_disagrees_with_dtype_and_shape_is_refused()
    {
        byte[] file = Build("""{"w":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,8]}}""", dataBytes: 8);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new MemoryStream(file), "w.safetensors"));

        Assert.Equal("Tensor 'w' in 'w.safetensors': BF16 of shape [2, 3] needs 12 bytes, but data_offsets [0, 8] span 8.", error.Message);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}""", 6, "Tensor 'b' in 'f': data_offsets [2, 6] overlap tensor 'a' [0, 4].")]
    [InlineData("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}}""", 10, "Tensor 'b' in 'f': data_offsets [6, 10] leave a gap of 2 bytes after tensor 'a'.")]
    [InlineData("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}""", 6, "'f': its tensors cover 4 bytes of data, but 6 bytes follow the header; the file is corrupt.")]
    [InlineData("""{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8, "Tensor 'a' in 'f': dtype 'C64' is not supported; supported are F32, F64, F16, BF16, I64, I32, U8 and BOOL.")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "Tensor 'a' in 'f': 'shape' holds -1, not a non-negative integer.")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", 4, "Tensor 'a' in 'f': data_offsets must be [begin, end] with begin <= end; it is [4, 0].")]
    [InlineData("""{"__metadata__":{"step":3}}""", 0, "'f': metadata entry 'step' is not a string.")]
    public void Malformed_layouts_are_refused_with_the_reason(string header, int dataBytes, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new MemoryStream(Build(header, dataBytes)), "f"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_header_length_beyond_the_file_is_refused()
    {
        byte[] file = Build("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", dataBytes: 1);
        BinaryPrimitives.WriteUInt64LittleEndian(file, 1_000);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new MemoryStream(file), "short.safetensors"));

        Assert.Contains("declares a safetensors header of 1000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_is_not_json_is_refused()
    {
        byte[] file = Build("{not json}", dataBytes: 0);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFormat.Read(new MemoryStream(file), "x.safetensors"));

        Assert.Contains("'x.safetensors': the safetensors header is not valid UTF-8 JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicode_arrays_cannot_be_written()
    {
        var error = Assert.Throws<ArgumentException>(() => SafetensorsFormat.Write(new MemoryStream(), [new("names", NpyArray.FromString("x"))]));

        Assert.Contains("Tensor 'names': safetensors holds numeric tensors only", error.Message, StringComparison.Ordinal);
    }

    private static KeyValuePair<string, NpyArray>[] SampleTensors() =>
    [
        new("carry/temperature", NpyArray.FromFloats([1.5f, -0f, float.NaN, 280.25f], [2, 2])),
        new("bf16", new NpyArray(NpyDtype.BFloat16, [3], [0x80, 0x3F, 0x00, 0xC0, 0xC1, 0x7F])),
        new("f16", new NpyArray(NpyDtype.Float16, [1, 2], [0x00, 0x3C, 0xFF, 0x7B])),
        new("f64", NpyArray.FromDoubles([Math.E], [])),
        new("rng/state", NpyArray.FromLongs([0x5DEECE66DL, -1L])),
        new("i32", NpyArray.FromInts([7], [1, 1, 1])),
        new("u8", new NpyArray(NpyDtype.UInt8, [3], [0, 128, 255])),
        new("mask", NpyArray.FromBools([true, false, true])),
        new("empty", NpyArray.FromFloats([], [0, 4])),
        new("a", NpyArray.FromScalar(42L)),
    ];

    /// <summary>A file with the given header JSON (space-padded to 8 bytes) and <paramref name="dataBytes"/> bytes of data.</summary>
    private static byte[] Build(string json, int dataBytes)
    {
        byte[] header = Encoding.UTF8.GetBytes(json.PadRight((json.Length + 7) / 8 * 8));
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        return file;
    }
}
