using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GraphCast.Formats.IO;
using GraphCast.Formats.Npy;

namespace GraphCast.Formats.Safetensors;

/// <summary>The safetensors file format: an 8-byte header length, a JSON header of tensor dtypes, shapes and offsets, then the raw data.</summary>
/// <remarks>
/// Layout (huggingface/safetensors): uint64 LE N; N bytes of UTF-8 JSON
/// <c>{"__metadata__": {str: str}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …}</c>,
/// padded with spaces so that the data region starts on an 8-byte boundary; then the data region, where each
/// tensor's little-endian C-order bytes lie at [begin, end) relative to its start. Writing keeps the caller's
/// order and lays tensors out back to back in that order. Reading validates as the reference does: offsets
/// in range, contiguous and non-overlapping, covering the data region exactly, and byte sizes matching
/// dtype × shape; each error names the tensor and the file.
/// </remarks>
public static class SafetensorsFormat
{
    /// <summary>The header key of the optional string→string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The reference implementation refuses headers over 100 MB as corrupt.</summary>
    private const long MaxHeaderLength = 100_000_000;

    private static readonly JsonWriterOptions HeaderWriterOptions = new()
    {
        // Tensor names such as "grid2mesh_gnn/~_networks_builder/…" stay readable; the output is still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="tensors"/> (in the given order) and optional <paramref name="metadata"/> to <paramref name="path"/>; an existing file is replaced only once the new one is complete.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        AtomicFile.Write(path, file => Write(file, tensors, metadata));
    }

    /// <summary>Writes <paramref name="tensors"/> (in the given order) and optional <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, or a tensor is a unicode array (safetensors holds numbers only).</exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        Completed(WriteCoreAsync(stream, tensors, metadata, useAsync: false, CancellationToken.None));

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order) and optional <paramref name="metadata"/> to <paramref name="stream"/>
    /// with asynchronous writes: the header, then each tensor's bytes straight from its array, so no copy of the file is made.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Write(Stream, IEnumerable{KeyValuePair{string, NpyArray}}, IEnumerable{KeyValuePair{string, string}}?)"/>; nothing is written then.</exception>
    public static Task WriteAsync(
        Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(stream, tensors, metadata, useAsync: true, cancellationToken).AsTask();

    /// <summary>Reads the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the tensor at fault and the file.</exception>
    public static SafetensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(file, path);
    }

    /// <summary>Reads a safetensors file from <paramref name="stream"/>; tensors come back in header order.</summary>
    /// <param name="sourceName">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are malformed; the message names the tensor at fault and the file.</exception>
    public static SafetensorsContent Read(Stream stream, string? sourceName = null) =>
        Completed(ReadCoreAsync(stream, sourceName, useAsync: false, CancellationToken.None));

    /// <summary>
    /// Reads a safetensors file from <paramref name="stream"/> with asynchronous reads; tensors come back in header order.
    /// </summary>
    /// <remarks>
    /// The stream is read once, front to back: the header, then each tensor straight into its own array (so a tensor is
    /// limited to <see cref="Array.MaxLength"/> bytes, the file is not). A seekable stream's length is checked against the
    /// header before any tensor is allocated; a forward-only stream is checked as it is read.
    /// </remarks>
    /// <param name="sourceName">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are malformed or truncated; the message names the tensor at fault and the file.</exception>
    public static Task<SafetensorsContent> ReadAsync(Stream stream, string? sourceName = null, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(stream, sourceName, useAsync: true, cancellationToken).AsTask();

    /// <summary>The safetensors name of a dtype (<c>F32</c>, <c>BF16</c>, <c>BOOL</c>).</summary>
    /// <exception cref="ArgumentException">Unicode, which safetensors cannot hold.</exception>
    public static string DtypeName(NpyDtype dtype) => dtype switch
    {
        NpyDtype.Bool => "BOOL",
        NpyDtype.UInt8 => "U8",
        NpyDtype.Int32 => "I32",
        NpyDtype.Int64 => "I64",
        NpyDtype.Float16 => "F16",
        NpyDtype.BFloat16 => "BF16",
        NpyDtype.Float32 => "F32",
        NpyDtype.Float64 => "F64",
        NpyDtype.Unicode => throw new ArgumentException("safetensors holds numeric tensors only; a unicode string array cannot be stored (put text in the metadata).", nameof(dtype)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDtype."),
    };

    private static NpyDtype? ParseDtypeName(string name) => name switch
    {
        "BOOL" => NpyDtype.Bool,
        "U8" => NpyDtype.UInt8,
        "I32" => NpyDtype.Int32,
        "I64" => NpyDtype.Int64,
        "F16" => NpyDtype.Float16,
        "BF16" => NpyDtype.BFloat16,
        "F32" => NpyDtype.Float32,
        "F64" => NpyDtype.Float64,
        _ => null,
    };

    /// <summary>The result of a core method run with <c>useAsync: false</c>, which completes synchronously.</summary>
    private static T Completed<T>(ValueTask<T> operation)
    {
        Debug.Assert(operation.IsCompleted, "with useAsync false every read and write is synchronous");
        return operation.GetAwaiter().GetResult();
    }

    private static void Completed(ValueTask operation)
    {
        Debug.Assert(operation.IsCompleted, "with useAsync false every read and write is synchronous");
        operation.GetAwaiter().GetResult();
    }

    /// <summary>The one writer behind <see cref="Write(Stream, IEnumerable{KeyValuePair{string, NpyArray}}, IEnumerable{KeyValuePair{string, string}}?)"/> and <see cref="WriteAsync"/>.</summary>
    private static async ValueTask WriteCoreAsync(
        Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata, bool useAsync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.ToList();
        byte[] header = FormatHeader(entries, metadata?.ToList());
        var lengthField = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)header.Length);
        await WriteBytesAsync(stream, lengthField, useAsync, cancellationToken).ConfigureAwait(false);
        await WriteBytesAsync(stream, header, useAsync, cancellationToken).ConfigureAwait(false);
        foreach ((_, NpyArray tensor) in entries)
        {
            await WriteBytesAsync(stream, tensor.Data, useAsync, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The one reader behind <see cref="Read(Stream, string?)"/> and <see cref="ReadAsync"/>.</summary>
    private static async ValueTask<SafetensorsContent> ReadCoreAsync(Stream stream, string? sourceName, bool useAsync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName is null ? "the safetensors stream" : $"'{sourceName}'";
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;

        var lengthField = new byte[8];
        if (await ReadFullyAsync(stream, lengthField, useAsync, cancellationToken).ConfigureAwait(false) != lengthField.Length)
        {
            throw new InvalidDataException($"{source} is not a safetensors file: it is shorter than the 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (headerLength > MaxHeaderLength || (available is long total && headerLength > (ulong)(total - 8)))
        {
            throw new InvalidDataException(
                $"{source} declares a safetensors header of {headerLength} bytes, {(headerLength > MaxHeaderLength ? $"over the {MaxHeaderLength}-byte limit" : $"more than the {available - 8} bytes that follow")}; the file is corrupt or not safetensors.");
        }

        var header = new byte[headerLength];
        if (await ReadFullyAsync(stream, header, useAsync, cancellationToken).ConfigureAwait(false) != header.Length)
        {
            throw new InvalidDataException($"{source} is truncated inside its safetensors header ({headerLength} bytes declared).");
        }

        var (entries, metadata) = ParseHeader(header, source);
        long dataLength = CheckLayout(entries, available - 8 - (long)headerLength, source);

        // Data is read in offset order, so a non-seekable stream works; each tensor lands in its own buffer.
        var buffers = new Dictionary<string, byte[]>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            var data = new byte[entry.End - entry.Begin];
            if (await ReadFullyAsync(stream, data, useAsync, cancellationToken).ConfigureAwait(false) != data.Length)
            {
                throw new InvalidDataException(
                    $"Tensor '{entry.Name}' in {source}: its data_offsets [{entry.Begin}, {entry.End}] run past the end of the file; the file is truncated.");
            }

            buffers.Add(entry.Name, data);
        }

        if (available is null && await ReadFullyAsync(stream, new byte[1], useAsync, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidDataException($"{source} has bytes after the {dataLength} bytes of data its header describes.");
        }

        var tensors = new OrderedDictionary<string, NpyArray>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            tensors.Add(entry.Name, new NpyArray(entry.Dtype, entry.Shape, buffers[entry.Name]));
        }

        return new SafetensorsContent(tensors, metadata);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns how many bytes were read.</summary>
    private static ValueTask<int> ReadFullyAsync(Stream stream, byte[] buffer, bool useAsync, CancellationToken cancellationToken) => useAsync
        ? stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)
        : ValueTask.FromResult(stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false));

    private static ValueTask WriteBytesAsync(Stream stream, byte[] buffer, bool useAsync, CancellationToken cancellationToken)
    {
        if (useAsync)
        {
            return stream.WriteAsync(buffer, cancellationToken);
        }

        stream.Write(buffer);
        return ValueTask.CompletedTask;
    }

    private static byte[] FormatHeader(List<KeyValuePair<string, NpyArray>> entries, List<KeyValuePair<string, string>>? metadata)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, HeaderWriterOptions))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata)
                {
                    ArgumentNullException.ThrowIfNull(key, nameof(metadata));
                    ArgumentNullException.ThrowIfNull(value, nameof(metadata));
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach ((string name, NpyArray tensor) in entries)
            {
                ArgumentException.ThrowIfNullOrEmpty(name, nameof(entries));
                ArgumentNullException.ThrowIfNull(tensor, nameof(entries));
                if (name == MetadataKey || !names.Add(name))
                {
                    throw new ArgumentException($"The tensor name '{name}' is {(name == MetadataKey ? "reserved" : "repeated")}; safetensors names must be unique.", nameof(entries));
                }

                string dtype;
                try
                {
                    dtype = DtypeName(tensor.Dtype);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Tensor '{name}': {e.Message}", nameof(entries), e);
                }

                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype);
                writer.WriteStartArray("shape");
                foreach (long dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                offset += tensor.Data.LongLength;
                writer.WriteNumberValue(offset);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        // The reference pads the header with spaces so that 8 + N is a multiple of 8: tensors stay aligned for mmap.
        int padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static (List<TensorEntry> Entries, OrderedDictionary<string, string> Metadata) ParseHeader(byte[] header, string source)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new InvalidDataException($"{source} is not a safetensors file: its header does not start with '{{'.");
        }

        JsonDocument document;
        try
        {
            // Strict UTF-8 first: JsonDocument would otherwise accept some invalid sequences inside strings.
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(header);
            document = JsonDocument.Parse(header);
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{source}: the safetensors header is not valid UTF-8 JSON ({e.Message}).", e);
        }

        using (document)
        {
            var entries = new List<TensorEntry>();
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw new InvalidDataException($"{source}: the safetensors header names '{property.Name}' twice.");
                }

                if (property.Name == MetadataKey)
                {
                    ParseMetadata(property.Value, metadata, source);
                }
                else
                {
                    entries.Add(ParseTensor(property.Name, property.Value, source));
                }
            }

            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, OrderedDictionary<string, string> metadata, string source)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: '{MetadataKey}' in the safetensors header is not a map of strings.");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new InvalidDataException($"{source}: metadata entry '{item.Name}' is {(item.Value.ValueKind == JsonValueKind.String ? "repeated" : "not a string")}.");
            }
        }
    }

    private static TensorEntry ParseTensor(string name, JsonElement value, string source)
    {
        string where = $"Tensor '{name}' in {source}";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: its header entry is not an object with dtype, shape and data_offsets.");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"{where}: its header entry has no string 'dtype'.");
        }

        string dtypeName = dtypeElement.GetString()!;
        var dtype = ParseDtypeName(dtypeName) ?? throw new InvalidDataException(
            $"{where}: dtype '{dtypeName}' is not supported; supported are F32, F64, F16, BF16, I64, I32, U8 and BOOL.");

        long[] shape = ReadIntegers(value, "shape", where);
        long[] offsets = ReadIntegers(value, "data_offsets", where);
        if (offsets.Length != 2 || offsets[1] < offsets[0])
        {
            throw new InvalidDataException($"{where}: data_offsets must be [begin, end] with begin <= end; it is [{string.Join(", ", offsets)}].");
        }

        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (product, dim) => product * dim) * NpyArray.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            expected = long.MaxValue;
        }

        if (expected != offsets[1] - offsets[0])
        {
            throw new InvalidDataException(
                $"{where}: {dtypeName} of shape [{string.Join(", ", shape)}] needs {expected} bytes, but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}.");
        }

        if (expected > Array.MaxLength)
        {
            throw new InvalidDataException($"{where}: {expected} bytes; tensors over {Array.MaxLength} bytes are not supported.");
        }

        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement tensor, string property, string where)
    {
        if (!tensor.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{where}: its header entry has no '{property}' list.");
        }

        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]) || values[i] < 0)
            {
                throw new InvalidDataException($"{where}: '{property}' holds {item.GetRawText()}, not a non-negative integer.");
            }

            i++;
        }

        return values;
    }

    /// <summary>Checks that the tensors tile the data region [0, length) exactly; returns the length they cover.</summary>
    private static long CheckLayout(List<TensorEntry> entries, long? available, string source)
    {
        long covered = 0;
        TensorEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != covered)
            {
                throw new InvalidDataException(entry.Begin < covered
                    ? $"Tensor '{entry.Name}' in {source}: data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]."
                    : $"Tensor '{entry.Name}' in {source}: data_offsets [{entry.Begin}, {entry.End}] leave a gap of {entry.Begin - covered} bytes after {(previous is null ? "the start of the data" : $"tensor '{previous.Name}'")}.");
            }

            if (available is long length && entry.End > length)
            {
                throw new InvalidDataException(
                    $"Tensor '{entry.Name}' in {source}: data_offsets [{entry.Begin}, {entry.End}] are out of range; the data region holds {length} bytes.");
            }

            covered = entry.End;
            previous = entry;
        }

        if (available is long total && covered != total)
        {
            throw new InvalidDataException($"{source}: its tensors cover {covered} bytes of data, but {total} bytes follow the header; the file is corrupt.");
        }

        return covered;
    }

    private sealed record TensorEntry(string Name, NpyDtype Dtype, long[] Shape, long Begin, long End);
}
