using System.Text.Json;
using GraphCast.Formats.Zarr;

namespace GraphCast.Formats.Tests.Zarr;

/// <summary>The chunk codecs: spellings, numcodecs configurations, exact round trips, numcodecs' shuffle order and damaged streams.</summary>
public sealed class ZarrCompressorTests
{
    [Theory]
    [InlineData("none", "none", 0, false)]
    [InlineData("zlib", "zlib", 6, true)]
    [InlineData("zlib:1", "zlib", 1, true)]
    [InlineData("ZSTD", "zstd", 3, true)]
    [InlineData("zstd:22", "zstd", 22, true)]
    public void Parse_reads_each_spelling(string text, string id, int level, bool shuffle)
    {
        var codec = ZarrCompressor.Parse(text);
        Assert.Equal((id, level, shuffle), (codec.Id, codec.Level, codec.Shuffle));
        Assert.Equal(codec, ZarrCompressor.Parse(codec.ToString()));
    }

    [Fact]
    public void The_default_is_zstd_level_3_with_shuffle() =>
        Assert.Equal(("zstd:3", ZarrCompressor.Parse("zstd")), (ZarrCompressor.Default.ToString(), ZarrCompressor.Default));

    [Theory]
    [InlineData("gzip", "Unknown compression 'gzip': use none, zlib[:LEVEL] (1–9, default 6) or zstd[:LEVEL] (1–22, default 3).")]
    [InlineData("zlib:0", "Compression level 0 of 'zlib:0' is out of range: zlib takes levels 1–9.")]
    [InlineData("zstd:23", "Compression level 23 of 'zstd:23' is out of range: zstd takes levels 1–22.")]
    [InlineData("zstd:-1", "Unknown compression 'zstd:-1': use none, zlib[:LEVEL] (1–9, default 6) or zstd[:LEVEL] (1–22, default 3).")]
    [InlineData("none:1", "Unknown compression 'none:1': use none, zlib[:LEVEL] (1–9, default 6) or zstd[:LEVEL] (1–22, default 3).")]
    public void Parse_refuses_anything_else_naming_the_fix(string text, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => ZarrCompressor.Parse(text)).Message);

    [Theory]
    [InlineData("zlib:1")]
    [InlineData("zlib:9")]
    [InlineData("zstd:1")]
    [InlineData("zstd:19")]
    public void Every_codec_round_trips_float32_bytes_exactly_with_and_without_shuffle(string text)
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 4099).Select(i => i % 97 == 0 ? float.NaN : (float)(250 + (30 * Math.Sin(i / 50.0)) + random.NextDouble())).ToArray();
        var raw = ZarrFormat.LittleEndianBytes(values).Concat(new byte[] { 1, 2, 3 }).ToArray(); // and a partial element
        foreach (var codec in new[] { ZarrCompressor.Parse(text), ZarrCompressor.Parse(text).WithShuffle(false) })
        {
            var stored = codec.Encode(raw);
            Assert.NotEqual(raw, stored);
            Assert.Equal(raw, codec.Decode(stored, raw.Length, "chunk"));
            Assert.Equal(stored, codec.Encode(raw)); // deterministic: a rewritten step gives the same bytes
        }
    }

    [Fact]
    public void Shuffle_puts_every_first_byte_first_as_numcodecs_does()
    {
        // numcodecs.Shuffle(elementsize=4).encode(np.array([1, 2], dtype="<i4")) == b"\x01\x02" + 6 zero bytes, then compressed.
        var codec = ZarrCompressor.Parse("zlib:6");
        var stored = codec.Encode([1, 0, 0, 0, 2, 0, 0, 0]);
        using var inflate = new System.IO.Compression.ZLibStream(new MemoryStream(stored), System.IO.Compression.CompressionMode.Decompress);
        var shuffled = new byte[8];
        inflate.ReadExactly(shuffled);
        Assert.Equal(new byte[] { 1, 2, 0, 0, 0, 0, 0, 0 }, shuffled);
    }

    [Fact]
    public void The_zarray_entries_are_numcodecs_configurations_and_read_back()
    {
        var codec = ZarrCompressor.Parse("zstd:5");
        var array = ZarrFormat.Array([2, 3], [1, 3], ZarrFormat.Float32, nanFill: true, codec);
        Assert.Equal("""{"id":"zstd","level":5}""", array["compressor"]!.ToJsonString());
        Assert.Equal("""[{"id":"shuffle","elementsize":4}]""", array["filters"]!.ToJsonString());
        using var document = JsonDocument.Parse(array.ToJsonString());
        Assert.Equal(codec, ZarrCompressor.FromJson(document.RootElement, "x"));

        using var plain = JsonDocument.Parse(ZarrFormat.Array([2], [2], ZarrFormat.Float32, nanFill: false).ToJsonString());
        Assert.Equal(ZarrCompressor.None, ZarrCompressor.FromJson(plain.RootElement, "x"));
    }

    [Theory]
    [InlineData("""{"compressor": {"id": "blosc", "cname": "lz4"}, "filters": null}""", "a: its compressor {\"id\": \"blosc\", \"cname\": \"lz4\"} is not one this reader decodes (zlib levels 1–9, zstd levels 1–22, or none).")]
    [InlineData("""{"compressor": null, "filters": [{"id": "delta", "dtype": "<f4"}]}""", "a: its filters [{\"id\": \"delta\", \"dtype\": \"<f4\"}] are not ones this reader decodes (none, or shuffle with element size 4).")]
    [InlineData("""{"compressor": 7}""", "a: its compressor 7 is not a numcodecs configuration with an 'id'.")]
    public void Unknown_codecs_are_refused_naming_the_array(string json, string message)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(message, Assert.Throws<InvalidDataException>(() => ZarrCompressor.FromJson(document.RootElement, "a")).Message);
    }

    [Theory]
    [InlineData("zlib:6")]
    [InlineData("zstd:3")]
    public void A_damaged_or_short_stream_is_an_error_naming_the_chunk(string text)
    {
        var codec = ZarrCompressor.Parse(text);
        var raw = ZarrFormat.LittleEndianBytes(Enumerable.Range(0, 1000).Select(i => (float)i).ToArray());
        var stored = codec.Encode(raw);
        var cut = stored[..(stored.Length / 2)];
        Assert.StartsWith("temperature/0.0: ", Assert.Throws<InvalidDataException>(() => codec.Decode(cut, raw.Length, "temperature/0.0")).Message, StringComparison.Ordinal);
        Assert.StartsWith("temperature/0.0: ", Assert.Throws<InvalidDataException>(() => codec.Decode(stored, raw.Length + 4, "temperature/0.0")).Message, StringComparison.Ordinal);
    }
}
