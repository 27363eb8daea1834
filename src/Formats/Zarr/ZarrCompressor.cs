using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphCast.Formats.Zarr;

/// <summary>
/// The lossless codec of a Zarr v2 array's chunks, in numcodecs' terms so that zarr-python and xarray decode them:
/// <c>none</c> (raw little-endian bytes), <c>zlib</c> (RFC 1950 zlib streams, numcodecs <c>Zlib</c>, levels 1–9) or
/// <c>zstd</c> (Zstandard frames with the content size in the header, numcodecs <c>Zstd</c>, levels 1–22). A compressed
/// codec first byte-shuffles the float32 values (numcodecs <c>Shuffle</c> filter, element size 4: every value's first
/// byte, then every second byte, …), which groups the slowly varying sign and exponent bytes and lifts the ratio on
/// weather fields (measured in docs/ensemble-outputs.md).
/// </summary>
/// <remarks>
/// zlib comes from the runtime (<see cref="ZLibStream"/>), zstd from ZstdSharp.Port (a managed port of the reference
/// library; the runtime has none). Both are deterministic for a given input, level and library version, which the forecast
/// store relies on: a step written again after a resume must give identical chunk bytes. The <c>.zarray</c> entry holds
/// only <c>id</c> and <c>level</c>, the configuration every numcodecs version accepts.
/// </remarks>
public sealed record ZarrCompressor
{
    private ZarrCompressor(string id, int level, bool shuffle)
    {
        Id = id;
        Level = level;
        Shuffle = shuffle;
    }

    /// <summary>Element size of the shuffle filter: the forecast's float32 values.</summary>
    public const int ShuffleElementSize = 4;

    /// <summary>Chunks stored as raw bytes (<c>"compressor": null</c>).</summary>
    public static ZarrCompressor None { get; } = new("none", 0, shuffle: false);

    /// <summary>The codec a forecast gets unless told otherwise: zstd level 3 over the shuffle (chosen by measurement, docs/ensemble-outputs.md).</summary>
    public static ZarrCompressor Default { get; } = new("zstd", 3, shuffle: true);

    /// <summary>The codec's numcodecs id: <c>none</c>, <c>zlib</c> or <c>zstd</c>.</summary>
    public string Id { get; }

    /// <summary>Its compression level (0 for <c>none</c>).</summary>
    public int Level { get; }

    /// <summary>Whether chunks are byte-shuffled before compression (every compressed codec from <see cref="Parse"/>).</summary>
    public bool Shuffle { get; }

    /// <summary>This codec with the shuffle filter on or off (for comparison; <c>none</c> never shuffles).</summary>
    public ZarrCompressor WithShuffle(bool shuffle) => Id == "none" ? this : new ZarrCompressor(Id, Level, shuffle);

    public const int DefaultZlibLevel = 6;
    public const int DefaultZstdLevel = 3;

    /// <summary>A codec for <c>--compression</c>: <c>none</c>, <c>zlib[:1-9]</c> or <c>zstd[:1-22]</c>.</summary>
    /// <exception cref="ArgumentException">Anything else, with the accepted spellings.</exception>
    public static ZarrCompressor Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        string id = parts[0].ToLowerInvariant();
        if (parts.Length > 2 || (id == "none" && parts.Length > 1))
        {
            throw Invalid(text);
        }

        int? level = null;
        if (parts.Length == 2)
        {
            level = int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(text);
        }

        return id switch
        {
            "none" => None,
            "zlib" => Create("zlib", level ?? DefaultZlibLevel, 1, 9, text),
            "zstd" => Create("zstd", level ?? DefaultZstdLevel, 1, 22, text),
            _ => throw Invalid(text),
        };
    }

    /// <summary>The codec of a <c>.zarray</c> document: its <c>compressor</c> (null or absent for none) and <c>filters</c> (null, or the shuffle filter).</summary>
    /// <exception cref="InvalidDataException">A codec other than zlib or zstd, a level out of range, or another filter; <paramref name="what"/> names the array.</exception>
    public static ZarrCompressor FromJson(JsonElement array, string what)
    {
        var compressor = array.TryGetProperty("compressor", out var c) ? c : default;
        var filters = array.TryGetProperty("filters", out var f) ? f : default;
        bool shuffle = false;
        if (filters.ValueKind == JsonValueKind.Array && filters.GetArrayLength() == 1 && filters[0].ValueKind == JsonValueKind.Object
            && filters[0].TryGetProperty("id", out var filterId) && filterId.ValueKind == JsonValueKind.String && filterId.GetString() == "shuffle"
            && filters[0].TryGetProperty("elementsize", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt32(out var n) && n == ShuffleElementSize)
        {
            shuffle = true;
        }
        else if (filters.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw new InvalidDataException($"{what}: its filters {filters.GetRawText()} are not ones this reader decodes (none, or shuffle with element size {ShuffleElementSize}).");
        }

        if (compressor.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return shuffle ? throw new InvalidDataException($"{what}: a shuffle filter without a compressor is not one this reader decodes.") : None;
        }

        if (compressor.ValueKind != JsonValueKind.Object || !compressor.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"{what}: its compressor {compressor.GetRawText()} is not a numcodecs configuration with an 'id'.");
        }

        int level = compressor.TryGetProperty("level", out var levelElement) && levelElement.ValueKind == JsonValueKind.Number && levelElement.TryGetInt32(out var l)
            ? l
            : id.GetString() == "zlib" ? DefaultZlibLevel : DefaultZstdLevel;
        try
        {
            return id.GetString() is "zlib" or "zstd"
                ? Parse($"{id.GetString()}:{level.ToString(CultureInfo.InvariantCulture)}").WithShuffle(shuffle)
                : throw Invalid(id.GetString()!);
        }
        catch (ArgumentException)
        {
            throw new InvalidDataException($"{what}: its compressor {compressor.GetRawText()} is not one this reader decodes (zlib levels 1–9, zstd levels 1–22, or none).");
        }
    }

    /// <summary>The <c>.zarray</c> <c>compressor</c> entry: null, or <c>{"id": …, "level": …}</c>.</summary>
    public JsonNode? ToJson() => Id == "none" ? null : new JsonObject { ["id"] = Id, ["level"] = Level };

    /// <summary>The <c>.zarray</c> <c>filters</c> entry: null, or <c>[{"id": "shuffle", "elementsize": 4}]</c>.</summary>
    public JsonNode? FiltersJson() => Shuffle ? new JsonArray(new JsonObject { ["id"] = "shuffle", ["elementsize"] = ShuffleElementSize }) : null;

    /// <summary>The spelling <see cref="Parse"/> reads back (<c>zstd:3</c>, <c>none</c>).</summary>
    public override string ToString() => Id == "none" ? "none" : FormattableString.Invariant($"{Id}:{Level}{(Shuffle ? "" : " (no shuffle)")}");

    /// <summary>The stored bytes of a chunk's raw bytes.</summary>
    public byte[] Encode(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (Shuffle)
        {
            raw = ShuffleBytes(raw, unshuffle: false);
        }

        switch (Id)
        {
            case "zlib":
                using (var output = new MemoryStream(raw.Length / 2 + 64))
                {
                    using (var zlib = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = Level }, leaveOpen: true))
                    {
                        zlib.Write(raw);
                    }

                    return output.ToArray();
                }

            case "zstd":
                return ZstdCompressor(Level).Wrap(raw).ToArray();

            default:
                return raw;
        }
    }

    /// <summary>A chunk's raw bytes from its stored bytes, which must decode to exactly <paramref name="rawLength"/> bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid stream of this codec, or decode to another length; <paramref name="what"/> names the chunk.</exception>
    public byte[] Decode(byte[] stored, int rawLength, string what)
    {
        ArgumentNullException.ThrowIfNull(stored);
        byte[] raw;
        try
        {
            switch (Id)
            {
                case "zlib":
                    raw = new byte[rawLength];
                    using (var zlib = new ZLibStream(new MemoryStream(stored, writable: false), CompressionMode.Decompress))
                    {
                        int read = 0, n;
                        while (read < rawLength && (n = zlib.Read(raw, read, rawLength - read)) > 0)
                        {
                            read += n;
                        }

                        if (read != rawLength || zlib.ReadByte() != -1)
                        {
                            throw new InvalidDataException($"{what}: its zlib stream does not decode to {rawLength} bytes.");
                        }
                    }

                    break;
                case "zstd":
                    raw = (t_zstdDecompressor ??= new ZstdSharp.Decompressor()).Unwrap(stored, rawLength).ToArray();
                    break;
                default:
                    raw = stored;
                    break;
            }
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"{what}: its {Id} stream is damaged ({e.Message}).", e);
        }

        return raw.Length != rawLength
            ? throw new InvalidDataException($"{what}: it decodes to {raw.Length} bytes; the chunk has {rawLength}.")
            : Shuffle ? ShuffleBytes(raw, unshuffle: true) : raw;
    }

    /// <summary>numcodecs' shuffle: byte j of element i goes to j·count + i (a trailing partial element stays as it is).</summary>
    private static byte[] ShuffleBytes(byte[] bytes, bool unshuffle)
    {
        const int size = ShuffleElementSize;
        int count = bytes.Length / size;
        var result = new byte[bytes.Length];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < size; j++)
            {
                if (unshuffle)
                {
                    result[(i * size) + j] = bytes[(j * count) + i];
                }
                else
                {
                    result[(j * count) + i] = bytes[(i * size) + j];
                }
            }
        }

        bytes.AsSpan(count * size).CopyTo(result.AsSpan(count * size));
        return result;
    }

    // One zstd context per thread and level, kept (a member writes a step's chunks one after another on one thread; a
    // context costs far more to set up than a small chunk does to compress). Each call starts a new frame, so the bytes
    // are those a fresh context gives.
    [ThreadStatic]
    private static ZstdSharp.Compressor? t_zstdCompressor;

    [ThreadStatic]
    private static int t_zstdLevel;

    [ThreadStatic]
    private static ZstdSharp.Decompressor? t_zstdDecompressor;

    private static ZstdSharp.Compressor ZstdCompressor(int level)
    {
        if (t_zstdCompressor is null || t_zstdLevel != level)
        {
            t_zstdCompressor?.Dispose();
            t_zstdCompressor = new ZstdSharp.Compressor(level);
            t_zstdLevel = level;
        }

        return t_zstdCompressor;
    }

    private static ZarrCompressor Create(string id, int level, int min, int max, string text) =>
        level >= min && level <= max
            ? new ZarrCompressor(id, level, shuffle: true)
            : throw new ArgumentException($"Compression level {level} of '{text}' is out of range: {id} takes levels {min}–{max}.");

    private static ArgumentException Invalid(string text) =>
        new($"Unknown compression '{text}': use none, zlib[:LEVEL] (1–9, default {DefaultZlibLevel}) or zstd[:LEVEL] (1–22, default {DefaultZstdLevel}).");
}
