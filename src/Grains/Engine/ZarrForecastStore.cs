using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphCast.Orleans.Grains.Storage;

namespace GraphCast.Orleans.Grains.Engine;

/// <summary>
/// A run's forecast as a Zarr v2 store (<c>runs/{runId}/forecast.zarr</c>) over the blob store: one array per output variable
/// with dims (member, lead_time, [level,] lat, lon), uncompressed little-endian float32, one chunk per (member, step,
/// variable); coordinate arrays <c>member</c>, <c>lead_time</c> (hours), <c>level</c> (hPa), <c>lat</c>, <c>lon</c> and the
/// scalar init <c>time</c> with CF units; xarray's <c>_ARRAY_DIMENSIONS</c>; consolidated metadata (<c>.zmetadata</c>) so
/// xarray opens it in one read. Every blob is written create-only: a chunk written twice must be identical (an idempotent
/// retry), anything else is an error naming the chunk.
/// </summary>
public sealed class ZarrForecastStore(IBlobStore blobs) : IForecastStore
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Location(string runId) => blobs is LocalDirectoryBlobStore local
        ? Path.Combine(local.Root, RunLayout.ForecastStore(runId))
        : $"{RunLayout.ForecastStore(runId)} in {blobs.Location}";

    public async Task CreateAsync(string runId, ForecastLayout layout, CancellationToken cancellationToken = default)
    {
        var root = RunLayout.ForecastStore(runId) + "/";
        var metadata = Metadata(layout);
        var consolidated = new JsonObject
        {
            ["metadata"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonNode.Parse(kv.Value)))),
            ["zarr_consolidated_format"] = 1,
        };
        foreach (var (key, json) in metadata)
        {
            await CreateIdenticalAsync(root + key, Encoding.UTF8.GetBytes(json), cancellationToken).ConfigureAwait(false);
        }

        foreach (var (key, bytes) in Coordinates(layout))
        {
            await CreateIdenticalAsync(root + key, bytes, cancellationToken).ConfigureAwait(false);
        }

        await CreateIdenticalAsync(root + ".zmetadata", Encoding.UTF8.GetBytes(consolidated.ToJsonString(Indented)), cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteStepAsync(string runId, int member, int step, IReadOnlyDictionary<string, float[]> variables, CancellationToken cancellationToken = default)
    {
        var root = RunLayout.ForecastStore(runId) + "/";
        foreach (var (name, data) in variables)
        {
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("Zarr chunks are written little-endian; this machine is big-endian.");
            }

            await CreateIdenticalAsync(root + ChunkKey(name, member, step - 1, data.Length), bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The chunk key of (member, lead index): <c>var/m.s.0.0[.0]</c>; the trailing zeros cover (level,) lat, lon.</summary>
    public static string ChunkKey(string variable, int member, int leadIndex, int valuesPerChunk) =>
        string.Create(CultureInfo.InvariantCulture, $"{variable}/{member}.{leadIndex}.0.0") + (IsAtmosphericChunk(variable) ? ".0" : "");

    private static bool IsAtmosphericChunk(string variable) => GraphCast.Model.Configuration.TaskConfig.HasLevels(variable);

    private async Task CreateIdenticalAsync(string name, byte[] bytes, CancellationToken cancellationToken)
    {
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            if (await blobs.TryCreateAsync(name, stream, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        var existing = await blobs.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        if (!existing.Data.AsSpan().SequenceEqual(bytes))
        {
            throw new InvalidOperationException(
                $"{name} already exists with different content ({existing.Data.Length} bytes, new {bytes.Length}). A run's outputs are written once; " +
                "a rerun must produce identical bytes — was the model, spec or device changed under the same run id?");
        }
    }

    /// <summary>Every metadata document of the store (key relative to the store root → JSON).</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> Metadata(ForecastLayout layout)
    {
        var result = new List<KeyValuePair<string, string>>
        {
            new(".zgroup", Json(new JsonObject { ["zarr_format"] = 2 })),
            new(".zattrs", Json(new JsonObject
            {
                ["Conventions"] = "CF-1.8",
                ["title"] = "GraphCast.Orleans ensemble forecast",
                ["init_time"] = layout.InitTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            })),
        };
        var nLat = layout.Latitudes.Length;
        var nLon = layout.Longitudes.Length;
        foreach (var v in layout.Variables)
        {
            int[] shape = v.HasLevels ? [layout.Members, layout.Steps, layout.Levels.Count, nLat, nLon] : [layout.Members, layout.Steps, nLat, nLon];
            int[] chunks = v.HasLevels ? [1, 1, layout.Levels.Count, nLat, nLon] : [1, 1, nLat, nLon];
            string[] dims = v.HasLevels ? ["member", "lead_time", "level", "lat", "lon"] : ["member", "lead_time", "lat", "lon"];
            result.Add(new($"{v.Name}/.zarray", ZArray(shape, chunks, "<f4", "NaN")));
            result.Add(new($"{v.Name}/.zattrs", Json(new JsonObject
            {
                ["_ARRAY_DIMENSIONS"] = new JsonArray(dims.Select(d => (JsonNode?)d).ToArray()),
                ["units"] = v.Units,
                ["long_name"] = v.Name.Replace('_', ' '),
                ["coordinates"] = "time",
            })));
        }

        void Coordinate(string name, int[] shape, string dtype, JsonObject attrs)
        {
            result.Add(new($"{name}/.zarray", ZArray(shape, shape, dtype, null)));
            result.Add(new($"{name}/.zattrs", Json(attrs)));
        }

        Coordinate("member", [layout.Members], "<i4", new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("member"), ["long_name"] = "ensemble member" });
        Coordinate("lead_time", [layout.Steps], "<i8", new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("lead_time"), ["units"] = "hours", ["long_name"] = "lead time" });
        Coordinate("level", [layout.Levels.Count], "<i4", new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("level"), ["units"] = "hPa", ["long_name"] = "pressure level" });
        Coordinate("lat", [nLat], "<f4", new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("lat"), ["units"] = "degrees_north", ["standard_name"] = "latitude" });
        Coordinate("lon", [nLon], "<f4", new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("lon"), ["units"] = "degrees_east", ["standard_name"] = "longitude" });
        Coordinate("time", [], "<i8", new JsonObject
        {
            ["_ARRAY_DIMENSIONS"] = new JsonArray(),
            ["units"] = "hours since 1970-01-01 00:00:00",
            ["calendar"] = "proleptic_gregorian",
            ["standard_name"] = "forecast_reference_time",
        });
        return result;
    }

    /// <summary>The coordinate chunks (key relative to the store root → bytes).</summary>
    internal static IEnumerable<KeyValuePair<string, byte[]>> Coordinates(ForecastLayout layout)
    {
        static byte[] Bytes<T>(T[] values)
            where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

        yield return new("member/0", Bytes(Enumerable.Range(0, layout.Members).ToArray()));
        yield return new("lead_time/0", Bytes(Enumerable.Range(1, layout.Steps).Select(s => (long)Math.Round(s * layout.StepLength.TotalHours)).ToArray()));
        yield return new("level/0", Bytes(layout.Levels.ToArray()));
        yield return new("lat/0", Bytes(layout.Latitudes));
        yield return new("lon/0", Bytes(layout.Longitudes));
        var hours = (long)Math.Round((layout.InitTime - DateTime.UnixEpoch).TotalHours);
        yield return new("time/0", Bytes(new[] { hours }));
    }

    private static string ZArray(int[] shape, int[] chunks, string dtype, string? fill) => Json(new JsonObject
    {
        ["chunks"] = new JsonArray(chunks.Select(c => (JsonNode?)c).ToArray()),
        ["compressor"] = null,
        ["dimension_separator"] = ".",
        ["dtype"] = dtype,
        ["fill_value"] = fill is null ? null : JsonValue.Create(fill),
        ["filters"] = null,
        ["order"] = "C",
        ["shape"] = new JsonArray(shape.Select(c => (JsonNode?)c).ToArray()),
        ["zarr_format"] = 2,
    });

    private static string Json(JsonNode node) => node.ToJsonString(Indented);
}
