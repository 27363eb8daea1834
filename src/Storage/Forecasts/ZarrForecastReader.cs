using System.Collections.Immutable;
using System.Text.Json;
using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>Reads a forecast store written by <see cref="ZarrForecastWriter"/> through an <see cref="IBlobStore"/>: its layout from the consolidated metadata and coordinate arrays, and its chunks.</summary>
/// <remarks>
/// Only the subset of Zarr v2 the writer produces is read (C order, little-endian, chunks raw or zlib/zstd-compressed); anything else is
/// refused with a message naming the array. A chunk that has not been written reads as NaN, the arrays' fill value.
/// </remarks>
public sealed class ZarrForecastReader
{
    private static readonly ImmutableHashSet<string> Coordinates =
    [
        ForecastStoreLayout.MemberDimension, ForecastStoreLayout.LeadTimeDimension, ForecastStoreLayout.LevelDimension,
        ForecastStoreLayout.LatitudeDimension, ForecastStoreLayout.LongitudeDimension, ForecastStoreLayout.TimeCoordinate,
    ];

    /// <summary>The time units of stores written before minute cycles.</summary>
    private const string HoursUnits = "hours since 1970-01-01 00:00:00";

    private readonly IBlobStore _store;

    private ZarrForecastReader(IBlobStore store, string storePrefix, ForecastStoreLayout layout)
    {
        _store = store;
        StorePrefix = storePrefix;
        Layout = layout;
    }

    /// <summary>The store's blob prefix, without a trailing '/'.</summary>
    public string StorePrefix { get; }

    /// <summary>The store's coordinates (as read from its coordinate arrays), variables and attributes.</summary>
    public ForecastStoreLayout Layout { get; }

    /// <summary>Opens the store under <paramref name="storePrefix"/>: one read of <c>.zmetadata</c> and one per coordinate array.</summary>
    /// <exception cref="BlobNotFoundException">There is no consolidated metadata there (no store, or one still being created).</exception>
    /// <exception cref="InvalidDataException">The metadata is not that of a forecast store; the message names what is wrong.</exception>
    public static async Task<ZarrForecastReader> OpenAsync(IBlobStore store, string storePrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        BlobName.Validate(storePrefix, nameof(storePrefix));
        string where = $"forecast store '{storePrefix}' in {store.Location}";
        try
        {
            return await OpenCoreAsync(store, storePrefix, where, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            // A value of the wrong kind or range in damaged metadata (a number that is not one, text that is not UTF-8, a
            // coordinate the layout refuses): the store is the problem, not the program.
            throw new InvalidDataException($"{where}: its metadata is damaged ({e.Message.TrimEnd('.')}).", e);
        }
    }

    private static async Task<ZarrForecastReader> OpenCoreAsync(IBlobStore store, string storePrefix, string where, CancellationToken cancellationToken)
    {
        byte[] consolidated = (await store.ReadAsync($"{storePrefix}/{ZarrFormat.ConsolidatedKey}", cancellationToken).ConfigureAwait(false)).Data;

        using var document = Parse(consolidated, $"{where}: {ZarrFormat.ConsolidatedKey}");
        var root = document.RootElement;
        if (!root.TryGetProperty("zarr_consolidated_format", out var format) || format.ValueKind != JsonValueKind.Number || format.GetInt32() != 1
            || !root.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: {ZarrFormat.ConsolidatedKey} is not Zarr consolidated metadata (format 1 with a 'metadata' map).");
        }

        JsonElement Document(string key) => metadata.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new InvalidDataException($"{where}: the consolidated metadata has no '{key}'.");

        long[] Shape(string array) => ReadShape(Document($"{array}/{ZarrFormat.ArrayKey}"), $"{where}: {array}");

        async Task<byte[]> CoordinateAsync(string name, string dtype, int elementSize)
        {
            var array = Document($"{name}/{ZarrFormat.ArrayKey}");
            CheckArray(array, dtype, $"{where}: {name}");
            long[] shape = ReadShape(array, $"{where}: {name}");
            long count = shape.Aggregate(1L, (product, n) => product * n);
            byte[] data = (await store.ReadAsync($"{storePrefix}/{name}/0", cancellationToken).ConfigureAwait(false)).Data;
            if (data.LongLength != count * elementSize)
            {
                throw new InvalidDataException($"{where}: coordinate '{name}' has {data.Length} bytes; its shape [{string.Join(", ", shape)}] needs {count * elementSize}.");
            }

            return data;
        }

        bool hasLevels = metadata.TryGetProperty($"{ForecastStoreLayout.LevelDimension}/{ZarrFormat.ArrayKey}", out _);
        int[] members = ZarrFormat.Int32Values(await CoordinateAsync(ForecastStoreLayout.MemberDimension, ZarrFormat.Int32, sizeof(int)).ConfigureAwait(false));
        long[] leadTimes = ZarrFormat.Int64Values(await CoordinateAsync(ForecastStoreLayout.LeadTimeDimension, ZarrFormat.Int64, sizeof(long)).ConfigureAwait(false));
        int[] levels = hasLevels
            ? ZarrFormat.Int32Values(await CoordinateAsync(ForecastStoreLayout.LevelDimension, ZarrFormat.Int32, sizeof(int)).ConfigureAwait(false))
            : [];
        float[] latitudes = ZarrFormat.Float32Values(await CoordinateAsync(ForecastStoreLayout.LatitudeDimension, ZarrFormat.Float32, sizeof(float)).ConfigureAwait(false));
        float[] longitudes = ZarrFormat.Float32Values(await CoordinateAsync(ForecastStoreLayout.LongitudeDimension, ZarrFormat.Float32, sizeof(float)).ConfigureAwait(false));
        long initValue = ZarrFormat.Int64Values(await CoordinateAsync(ForecastStoreLayout.TimeCoordinate, ZarrFormat.Int64, sizeof(long)).ConfigureAwait(false))[0];
        // Minutes since 1970 (ForecastStoreLayout.TimeUnits); stores written before minute cycles hold hours.
        var timeUnits = StringAttribute(Document($"{ForecastStoreLayout.TimeCoordinate}/{ZarrFormat.AttributesKey}"), "units");
        var initTime = timeUnits switch
        {
            ForecastStoreLayout.TimeUnits => DateTime.UnixEpoch.AddMinutes(initValue),
            HoursUnits => DateTime.UnixEpoch.AddHours(initValue),
            _ => throw new InvalidDataException($"{where}: the '{ForecastStoreLayout.TimeCoordinate}' coordinate's units are '{timeUnits}', not '{ForecastStoreLayout.TimeUnits}' (or '{HoursUnits}')."),
        };
        if (!members.SequenceEqual(Enumerable.Range(0, members.Length)))
        {
            throw new InvalidDataException($"{where}: the member coordinate is [{string.Join(", ", members)}], not 0 … {members.Length - 1}.");
        }

        // Variables in the order the metadata lists them (the writer's order): every array that is not a coordinate.
        var variables = new List<ForecastVariable>();
        var compressor = ZarrCompressor.None;
        foreach (var entry in metadata.EnumerateObject())
        {
            if (!entry.Name.EndsWith("/" + ZarrFormat.ArrayKey, StringComparison.Ordinal))
            {
                continue;
            }

            string name = entry.Name[..^(ZarrFormat.ArrayKey.Length + 1)];
            if (Coordinates.Contains(name))
            {
                continue;
            }

            string what = $"{where}: variable '{name}'";
            CheckArray(entry.Value, ZarrFormat.Float32, what, compressed: true);
            var codec = ZarrCompressor.FromJson(entry.Value, what);
            if (variables.Count > 0 && codec != compressor)
            {
                throw new InvalidDataException($"{what} is compressed with {codec}; the store's other variables with {compressor}.");
            }

            compressor = codec;
            var attributes = Document($"{name}/{ZarrFormat.AttributesKey}");
            string[] dims = attributes.TryGetProperty(ZarrFormat.DimensionsAttribute, out var dimsElement) && dimsElement.ValueKind == JsonValueKind.Array
                ? [.. dimsElement.EnumerateArray().Select(d => d.GetString() ?? string.Empty)]
                : throw new InvalidDataException($"{what} has no {ZarrFormat.DimensionsAttribute} attribute.");
            var variable = new ForecastVariable(
                name,
                dims.Contains(ForecastStoreLayout.LevelDimension, StringComparer.Ordinal),
                StringAttribute(attributes, "units") ?? string.Empty,
                StringAttribute(attributes, "long_name") ?? string.Empty);
            variables.Add(variable);
        }

        var rootAttributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (metadata.TryGetProperty(ZarrFormat.AttributesKey, out var rootElement) && rootElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var attribute in rootElement.EnumerateObject())
            {
                rootAttributes[attribute.Name] = attribute.Value.ValueKind == JsonValueKind.String ? attribute.Value.GetString()! : attribute.Value.GetRawText();
            }
        }

        var layout = new ForecastStoreLayout(
            members.Length, leadTimes, levels, latitudes, longitudes, initTime, variables)
        {
            Attributes = rootAttributes.ToImmutable(),
            Compressor = compressor,
        };

        // Each variable's declared shape and chunks must be those its dims and the coordinates give.
        foreach (var variable in variables)
        {
            var array = Document($"{variable.Name}/{ZarrFormat.ArrayKey}");
            var attributes = Document($"{variable.Name}/{ZarrFormat.AttributesKey}");
            var dims = attributes.GetProperty(ZarrFormat.DimensionsAttribute).EnumerateArray().Select(d => d.GetString()).ToList();
            long[] expectedChunks = [1, 1, .. layout.ShapeOf(variable).Skip(2)];
            if (!dims.SequenceEqual(layout.DimensionsOf(variable)) || !Shape(variable.Name).SequenceEqual(layout.ShapeOf(variable))
                || !ReadShape(array, $"{where}: {variable.Name}", "chunks").SequenceEqual(expectedChunks))
            {
                throw new InvalidDataException(
                    $"{where}: variable '{variable.Name}' has dims [{string.Join(", ", dims)}], shape [{string.Join(", ", Shape(variable.Name))}] " +
                    $"and chunks [{string.Join(", ", ReadShape(array, where, "chunks"))}]; a forecast store has dims " +
                    $"[{string.Join(", ", layout.DimensionsOf(variable))}], shape [{string.Join(", ", layout.ShapeOf(variable))}] and chunks [{string.Join(", ", expectedChunks)}].");
            }
        }

        return new ZarrForecastReader(store, storePrefix, layout);
    }

    /// <summary>Opens the forecast store of run <paramref name="runId"/>.</summary>
    public static Task<ZarrForecastReader> OpenForRunAsync(IBlobStore store, string runId, CancellationToken cancellationToken = default) =>
        OpenAsync(store, RunLayout.ForecastStore(runId), cancellationToken);

    /// <summary>Whether the chunk of (<paramref name="variable"/>, <paramref name="member"/>, <paramref name="step"/>) has been written.</summary>
    public Task<bool> ChunkExistsAsync(string variable, int member, int step, CancellationToken cancellationToken = default) =>
        _store.ExistsAsync(ChunkName(variable, member, step), cancellationToken);

    /// <summary>One chunk's values, C order [level,] lat, lon; all NaN when it has not been written.</summary>
    public async Task<float[]> ReadChunkAsync(string variable, int member, int step, CancellationToken cancellationToken = default)
    {
        try
        {
            return ZarrFormat.Float32Values(await ReadChunkBytesAsync(variable, member, step, cancellationToken).ConfigureAwait(false));
        }
        catch (BlobNotFoundException)
        {
            var missing = new float[Layout.ChunkLength(Layout.Variable(variable))];
            Array.Fill(missing, float.NaN);
            return missing;
        }
    }

    /// <summary>A written chunk's little-endian bytes, checked for length (view them with <see cref="ZarrFormat.Float32ValuesInPlace"/>).</summary>
    /// <exception cref="BlobNotFoundException">The chunk has not been written.</exception>
    public async Task<byte[]> ReadChunkBytesAsync(string variable, int member, int step, CancellationToken cancellationToken = default)
    {
        string name = ChunkName(variable, member, step);
        int length = Layout.ChunkLength(Layout.Variable(variable));
        byte[] data = Layout.Compressor.Decode((await _store.ReadAsync(name, cancellationToken).ConfigureAwait(false)).Data, length * sizeof(float), $"Chunk '{name}'");
        return data.Length == length * sizeof(float)
            ? data
            : throw new InvalidDataException($"Chunk '{name}' has {data.Length} bytes; a chunk of '{variable}' has {length} float32 values ({length * sizeof(float)} bytes).");
    }

    /// <summary>A whole variable: every member and step, missing chunks as NaN.</summary>
    /// <exception cref="NotSupportedException">It does not fit one array (read it chunk by chunk instead).</exception>
    public async Task<ForecastArray> ReadVariableAsync(string variable, CancellationToken cancellationToken = default)
    {
        var definition = Layout.Variable(variable);
        var shape = Layout.ShapeOf(definition);
        int chunk = Layout.ChunkLength(definition);
        long total = (long)Layout.Members * Layout.LeadTimesHours.Count * chunk;
        if (total > Array.MaxLength)
        {
            throw new NotSupportedException($"'{variable}' has {total} values, too many for one array; read it with {nameof(ReadChunkAsync)}.");
        }

        var values = new float[total];
        for (int member = 0; member < Layout.Members; member++)
        {
            for (int step = 0; step < Layout.LeadTimesHours.Count; step++)
            {
                float[] data = await ReadChunkAsync(variable, member, step, cancellationToken).ConfigureAwait(false);
                data.CopyTo(values, ((member * Layout.LeadTimesHours.Count) + step) * (long)chunk);
            }
        }

        return new ForecastArray(variable, Layout.DimensionsOf(definition), shape, values);
    }

    private static JsonDocument Parse(byte[] json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}", e);
        }
    }

    private static string? StringAttribute(JsonElement attributes, string name) =>
        attributes.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long[] ReadShape(JsonElement array, string what, string property = "shape") =>
        array.TryGetProperty(property, out var shape) && shape.ValueKind == JsonValueKind.Array
            ? [.. shape.EnumerateArray().Select(n => n.GetInt64())]
            : throw new InvalidDataException($"{what}: its .zarray has no '{property}' list.");

    /// <summary>Refuses arrays this reader cannot decode: Fortran order, another dtype, or compressed or filtered where <paramref name="compressed"/> is false (coordinates); the codec of a variable is checked by <see cref="ZarrCompressor.FromJson"/>.</summary>
    private static void CheckArray(JsonElement array, string dtype, string what, bool compressed = false)
    {
        string? Text(string property) => array.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        bool IsNull(string property) => !array.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null;
        if (!array.TryGetProperty("zarr_format", out var format) || format.ValueKind != JsonValueKind.Number || format.GetInt32() != 2
            || Text("dtype") != dtype || Text("order") != "C" || (!compressed && (!IsNull("compressor") || !IsNull("filters"))))
        {
            throw new InvalidDataException(
                $"{what}: its .zarray is not an {(compressed ? "" : "uncompressed, unfiltered, ")}C-order Zarr v2 array of {dtype} (found {array.GetRawText()}).");
        }
    }

    private string ChunkName(string variable, int member, int step)
    {
        var definition = Layout.Variable(variable);
        ZarrForecastWriter.CheckIndex(Layout, member, step);
        return $"{StorePrefix}/{ZarrForecastWriter.ChunkKey(definition, member, step)}";
    }
}
