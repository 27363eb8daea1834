using System.Text.Json.Nodes;
using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>Writes a run's forecast as a Zarr v2 store in an <see cref="IBlobStore"/>: metadata once at creation, then one create-only chunk per (variable, member, step).</summary>
/// <remarks>
/// <para>
/// The store (for example <c>runs/{runId}/forecast.zarr</c>) holds one float32 array per output variable with dims
/// (member, lead_time, [level,] lat, lon) and chunks (1, 1, [L,] nlat, nlon), so that each member writes only its own
/// chunks; compressed with the layout's <see cref="ZarrCompressor"/> (lossless; none, zlib or zstd), fill value NaN (a chunk not yet written reads as NaN). Coordinate arrays: <c>member</c> (int32),
/// <c>lead_time</c> (int64 hours, <c>units: hours</c>, which xarray decodes to timedelta64), <c>level</c> (int32 hPa),
/// <c>lat</c>/<c>lon</c> (float32 degrees) and the scalar <c>time</c> (int64, CF <c>hours since 1970-01-01 00:00:00</c>,
/// proleptic Gregorian), which each variable names in its <c>coordinates</c> attribute. Every array carries xarray's
/// <c>_ARRAY_DIMENSIONS</c>; <c>.zmetadata</c> consolidates all metadata.
/// </para>
/// <para>
/// Every file is written create-only. Creating a store that exists checks that each file is identical (members on
/// several silos may all create it); a chunk written again with identical bytes is a success (a retried step), with
/// other bytes a <see cref="ForecastStoreConflictException"/> naming the chunk. <c>.zmetadata</c> is written last, so
/// its presence means the metadata is complete.
/// </para>
/// </remarks>
public sealed class ZarrForecastWriter
{
    private readonly IBlobStore _store;

    private ZarrForecastWriter(IBlobStore store, string storePrefix, ForecastStoreLayout layout)
    {
        _store = store;
        StorePrefix = storePrefix;
        Layout = layout;
    }

    /// <summary>The store's blob prefix (<c>runs/{runId}/forecast.zarr</c>), without a trailing '/'.</summary>
    public string StorePrefix { get; }

    /// <summary>The coordinates and variables the store was created with.</summary>
    public ForecastStoreLayout Layout { get; }

    /// <summary>Creates the store's metadata and coordinates under <paramref name="storePrefix"/>, or checks that an existing store has exactly these.</summary>
    /// <exception cref="ArgumentException">An invalid prefix or layout; nothing is written.</exception>
    /// <exception cref="ForecastStoreConflictException">A store exists there with other coordinates, variables or attributes.</exception>
    public static async Task<ZarrForecastWriter> CreateAsync(
        IBlobStore store, string storePrefix, ForecastStoreLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        BlobName.Validate(storePrefix, nameof(storePrefix));
        layout.Validate();

        var (files, consolidated) = Documents(layout);
        await Task.WhenAll(files.Select(file => CreateOrVerifyAsync(store, storePrefix, file.Key, file.Content, cancellationToken))).ConfigureAwait(false);
        await CreateOrVerifyAsync(store, storePrefix, ZarrFormat.ConsolidatedKey, consolidated, cancellationToken).ConfigureAwait(false);
        return new ZarrForecastWriter(store, storePrefix, layout);
    }

    /// <summary>Creates (or checks) the forecast store of run <paramref name="runId"/> at <c>runs/{runId}/forecast.zarr</c>.</summary>
    public static Task<ZarrForecastWriter> CreateForRunAsync(IBlobStore store, string runId, ForecastStoreLayout layout, CancellationToken cancellationToken = default) =>
        CreateAsync(store, RunLayout.ForecastStore(runId), layout, cancellationToken);

    /// <summary>A writer for an existing store, its layout read from the consolidated metadata.</summary>
    public static async Task<ZarrForecastWriter> OpenAsync(IBlobStore store, string storePrefix, CancellationToken cancellationToken = default)
    {
        var reader = await ZarrForecastReader.OpenAsync(store, storePrefix, cancellationToken).ConfigureAwait(false);
        return new ZarrForecastWriter(store, storePrefix, reader.Layout);
    }

    /// <summary>The chunk key of (<paramref name="variable"/>, <paramref name="member"/>, <paramref name="step"/>) relative to the store, e.g. <c>temperature/2.5.0.0.0</c>.</summary>
    public static string ChunkKey(ForecastVariable variable, int member, int step)
    {
        ArgumentNullException.ThrowIfNull(variable);
        long[] index = variable.HasLevels ? [member, step, 0, 0, 0] : [member, step, 0, 0];
        return $"{variable.Name}/{ZarrFormat.ChunkKey(index)}";
    }

    /// <summary>
    /// Writes member <paramref name="member"/>'s values of <paramref name="variable"/> at step <paramref name="step"/>:
    /// <paramref name="data"/> in C order [level,] lat, lon (<see cref="ForecastStoreLayout.ChunkLength"/> values).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown variable, wrong length, or member/step out of range; nothing is written.</exception>
    /// <exception cref="ForecastStoreConflictException">The chunk exists with other values.</exception>
    public async Task WriteChunkAsync(string variable, int member, int step, ReadOnlyMemory<float> data, CancellationToken cancellationToken = default)
    {
        var definition = Layout.Variable(variable);
        CheckIndex(Layout, member, step);
        int expected = Layout.ChunkLength(definition);
        if (data.Length != expected)
        {
            throw new ArgumentException(
                $"A chunk of '{variable}' holds {expected} values ({(definition.HasLevels ? $"{Layout.Levels.Count} levels × " : string.Empty)}" +
                $"{Layout.Latitudes.Count} latitudes × {Layout.Longitudes.Count} longitudes); {data.Length} were given.",
                nameof(data));
        }

        string key = ChunkKey(definition, member, step);
        var bytes = Layout.Compressor.Encode(ZarrFormat.LittleEndianBytes(data.Span));
        using var content = new MemoryStream(bytes, writable: false);
        EngineTelemetry.ChunkBytes.Add(bytes.Length, new KeyValuePair<string, object?>("codec", Layout.Compressor.Id));
        if (!await _store.TryCreateAsync($"{StorePrefix}/{key}", content, cancellationToken).ConfigureAwait(false))
        {
            // TryCreateAsync already succeeds for identical bytes (a step recomputed after a resume): these differ.
            throw new ForecastStoreConflictException(
                $"{StorePrefix}/{key}",
                $"Chunk '{StorePrefix}/{key}' ({variable}, member {member}, step {step}) already holds different values. A step " +
                "written twice must give the same values; the member's computation is not reproducible here.");
        }
    }

    internal static void CheckIndex(ForecastStoreLayout layout, int member, int step)
    {
        if (member < 0 || member >= layout.Members)
        {
            throw new ArgumentOutOfRangeException(nameof(member), member, $"The store has members 0 to {layout.Members - 1}.");
        }

        if (step < 0 || step >= layout.LeadTimesHours.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The store has steps 0 to {layout.LeadTimesHours.Count - 1}.");
        }
    }

    /// <summary>Minutes from 1970-01-01T00 to <paramref name="time"/> (a whole minute, checked by the layout): the value of <see cref="ForecastStoreLayout.TimeUnits"/>.</summary>
    internal static long MinutesSinceEpoch(DateTime time) => (time - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMinute;

    /// <summary>Every file of a new store (metadata and coordinate chunks) and the consolidated metadata, as bytes.</summary>
    private static (List<(string Key, byte[] Content)> Files, byte[] Consolidated) Documents(ForecastStoreLayout layout)
    {
        var documents = new ZarrStoreDocuments(layout.Attributes);
        documents.AddCoordinates(layout, withMembers: true);
        foreach (var variable in layout.Variables)
        {
            var shape = layout.ShapeOf(variable);
            long[] chunks = [1, 1, .. shape.Skip(2)];
            documents.AddArray(
                variable.Name,
                ZarrFormat.Array(shape, chunks, ZarrFormat.Float32, nanFill: true, layout.Compressor),
                new JsonObject
                {
                    [ZarrFormat.DimensionsAttribute] = ZarrFormat.Strings(layout.DimensionsOf(variable)),
                    ["coordinates"] = ForecastStoreLayout.TimeCoordinate,
                    ["long_name"] = variable.LongName,
                    ["units"] = variable.Units,
                });
        }

        return documents.Finish();
    }

    internal static async Task CreateOrVerifyAsync(IBlobStore store, string storePrefix, string key, byte[] content, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content, writable: false);
        if (!await store.TryCreateAsync($"{storePrefix}/{key}", stream, cancellationToken).ConfigureAwait(false))
        {
            throw new ForecastStoreConflictException(
                $"{storePrefix}/{key}",
                $"A forecast store already exists at '{storePrefix}' in {store.Location} with a different '{key}': it was created " +
                "for other coordinates, variables or attributes. Write this forecast under a new run id, or delete the old store.");
        }
    }
}
