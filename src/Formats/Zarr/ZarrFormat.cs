using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphCast.Formats.Zarr;

/// <summary>The pieces of the Zarr v2 format the forecast store writes and reads: metadata key names, <c>.zarray</c> documents, chunk keys and little-endian chunk bytes.</summary>
/// <remarks>
/// Zarr v2 (zarr-specs, v2 storage spec): a group has <c>.zgroup</c> <c>{"zarr_format": 2}</c>; an array has <c>.zarray</c>
/// (shape, chunks, dtype, compressor, fill_value, order, filters, zarr_format) and optional <c>.zattrs</c>; chunk
/// <c>(i, j, …)</c> of an array is the key <c>i.j.…</c> (the default '.' separator), and a 0-d array's only chunk is
/// <c>0</c>. Consolidated metadata (<c>.zmetadata</c>, <c>zarr_consolidated_format</c> 1) repeats every metadata document
/// in one, so xarray opens a store with one read. Uncompressed chunks are the raw C-order element bytes; compressed ones
/// are those bytes through the array's <see cref="ZarrCompressor"/>.
/// </remarks>
public static class ZarrFormat
{
    public const string GroupKey = ".zgroup";
    public const string AttributesKey = ".zattrs";
    public const string ArrayKey = ".zarray";
    public const string ConsolidatedKey = ".zmetadata";
    public const string DimensionsAttribute = "_ARRAY_DIMENSIONS";

    public const string Float32 = "<f4";
    public const string Int32 = "<i4";
    public const string Int64 = "<i8";

    /// <summary>Indented like zarr-python's own metadata; the same layout always gives the same bytes.</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IndentSize = 4 };

    public static JsonObject Group() => new() { ["zarr_format"] = 2 };

    /// <summary>A <c>.zarray</c> document for a C-order array, uncompressed unless <paramref name="compressor"/> says otherwise.</summary>
    /// <param name="nanFill">Fill missing chunks with NaN (outputs); otherwise no fill value (coordinates, always written).</param>
    public static JsonObject Array(IReadOnlyList<long> shape, IReadOnlyList<long> chunks, string dtype, bool nanFill, ZarrCompressor? compressor = null) => new()
    {
        ["chunks"] = Numbers(chunks),
        ["compressor"] = (compressor ?? ZarrCompressor.None).ToJson(),
        ["dtype"] = dtype,
        // JSON has no NaN: the v2 spec spells it as the string "NaN".
        ["fill_value"] = nanFill ? "NaN" : null,
        ["filters"] = (compressor ?? ZarrCompressor.None).FiltersJson(),
        ["order"] = "C",
        ["shape"] = Numbers(shape),
        ["zarr_format"] = 2,
    };

    public static JsonArray Numbers(IEnumerable<long> values) => new([.. values.Select(v => JsonValue.Create(v))]);

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => JsonValue.Create(v))]);

    public static byte[] ToBytes(JsonNode document) => Encoding.UTF8.GetBytes(document.ToJsonString(Json));

    /// <summary>The key of chunk <paramref name="index"/> (<c>1.2.0.0</c>); <c>0</c> for a 0-d array.</summary>
    public static string ChunkKey(ReadOnlySpan<long> index) =>
        index.Length == 0 ? "0" : string.Join('.', index.ToArray().Select(i => i.ToString(CultureInfo.InvariantCulture)));

    public static byte[] LittleEndianBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
            }
        }

        return bytes;
    }

    public static byte[] LittleEndianBytes(ReadOnlySpan<int> values)
    {
        var bytes = new byte[values.Length * sizeof(int)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), values[i]);
        }

        return bytes;
    }

    public static byte[] LittleEndianBytes(ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }

        return bytes;
    }

    /// <summary>
    /// The float32 values of little-endian chunk bytes, viewed in place (converted to host order first on a big-endian
    /// host): no copy, so a statistics pass holds a member's chunk once.
    /// </summary>
    public static Span<float> Float32ValuesInPlace(byte[] littleEndian)
    {
        var values = MemoryMarshal.Cast<byte, float>(littleEndian.AsSpan(0, littleEndian.Length / sizeof(float) * sizeof(float)));
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, int>(values);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }

        return values;
    }

    /// <summary>Converts values filled in host order through <see cref="Float32ValuesInPlace"/>'s view back to little-endian chunk bytes.</summary>
    public static void ToLittleEndianInPlace(Span<float> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, int>(values);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
    }

    public static float[] Float32Values(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    public static int[] Int32Values(ReadOnlySpan<byte> bytes)
    {
        var values = new int[bytes.Length / sizeof(int)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * sizeof(int))..]);
        }

        return values;
    }

    public static long[] Int64Values(ReadOnlySpan<byte> bytes)
    {
        var values = new long[bytes.Length / sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * sizeof(long))..]);
        }

        return values;
    }
}
