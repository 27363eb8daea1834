using System.Text.Json.Nodes;
using GraphCast.Formats.Zarr;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>Collects the metadata documents and coordinate chunks of a new Zarr v2 store and consolidates them, so the forecast and statistics stores share one set of coordinates.</summary>
internal sealed class ZarrStoreDocuments
{
    private readonly List<(string Key, byte[] Content)> _files = [];
    private readonly JsonObject _metadata = [];

    /// <summary>A root group whose <c>.zattrs</c> holds <paramref name="attributes"/>.</summary>
    public ZarrStoreDocuments(IEnumerable<KeyValuePair<string, string>> attributes)
    {
        AddMetadata(ZarrFormat.GroupKey, ZarrFormat.Group());
        var root = new JsonObject();
        foreach (var (key, value) in attributes)
        {
            root[key] = value;
        }

        AddMetadata(ZarrFormat.AttributesKey, root);
    }

    public void AddMetadata(string key, JsonObject document)
    {
        _files.Add((key, ZarrFormat.ToBytes(document)));
        _metadata[key] = document.DeepClone();
    }

    public void AddArray(string name, JsonObject array, JsonObject attributes)
    {
        AddMetadata($"{name}/{ZarrFormat.ArrayKey}", array);
        AddMetadata($"{name}/{ZarrFormat.AttributesKey}", attributes);
    }

    public void AddChunk(string key, byte[] content) => _files.Add((key, content));

    /// <summary>
    /// The coordinates of <paramref name="layout"/>: <c>member</c> (when <paramref name="withMembers"/>), <c>lead_time</c>,
    /// <c>level</c> (when there are levels), <c>lat</c>, <c>lon</c> and the scalar init <c>time</c>.
    /// </summary>
    public void AddCoordinates(ForecastStoreLayout layout, bool withMembers)
    {
        if (withMembers)
        {
            AddCoordinate(
                ForecastStoreLayout.MemberDimension, ZarrFormat.Int32, layout.Members,
                ZarrFormat.LittleEndianBytes(Enumerable.Range(0, layout.Members).ToArray()),
                new JsonObject { ["long_name"] = "ensemble member" });
        }

        AddCoordinate(
            ForecastStoreLayout.LeadTimeDimension, ZarrFormat.Int64, layout.LeadTimesHours.Count,
            ZarrFormat.LittleEndianBytes(layout.LeadTimesHours.ToArray()),
            // A time unit without "since": xarray's CF decoding turns it into timedelta64.
            new JsonObject { ["long_name"] = "forecast lead time", ["units"] = "hours" });
        if (layout.Levels.Count > 0)
        {
            AddCoordinate(
                ForecastStoreLayout.LevelDimension, ZarrFormat.Int32, layout.Levels.Count,
                ZarrFormat.LittleEndianBytes(layout.Levels.ToArray()),
                new JsonObject { ["long_name"] = "pressure level", ["positive"] = "down", ["units"] = "hPa" });
        }

        AddCoordinate(
            ForecastStoreLayout.LatitudeDimension, ZarrFormat.Float32, layout.Latitudes.Count,
            ZarrFormat.LittleEndianBytes(layout.Latitudes.ToArray()),
            new JsonObject { ["long_name"] = "latitude", ["standard_name"] = "latitude", ["units"] = "degrees_north" });
        AddCoordinate(
            ForecastStoreLayout.LongitudeDimension, ZarrFormat.Float32, layout.Longitudes.Count,
            ZarrFormat.LittleEndianBytes(layout.Longitudes.ToArray()),
            new JsonObject { ["long_name"] = "longitude", ["standard_name"] = "longitude", ["units"] = "degrees_east" });

        // The init time: a 0-d array (one chunk, key "0") that every variable lists in "coordinates".
        AddArray(
            ForecastStoreLayout.TimeCoordinate,
            ZarrFormat.Array([], [], ZarrFormat.Int64, nanFill: false),
            new JsonObject
            {
                [ZarrFormat.DimensionsAttribute] = new JsonArray(),
                ["calendar"] = "proleptic_gregorian",
                ["long_name"] = "initialisation time",
                ["standard_name"] = "forecast_reference_time",
                ["units"] = ForecastStoreLayout.TimeUnits,
            });
        AddChunk($"{ForecastStoreLayout.TimeCoordinate}/0", ZarrFormat.LittleEndianBytes([ZarrForecastWriter.MinutesSinceEpoch(layout.InitTime)]));
    }

    /// <summary>Every file and the consolidated metadata (<c>.zmetadata</c>), to be written last.</summary>
    public (List<(string Key, byte[] Content)> Files, byte[] Consolidated) Finish()
    {
        var consolidated = new JsonObject
        {
            ["metadata"] = _metadata,
            ["zarr_consolidated_format"] = 1,
        };
        return (_files, ZarrFormat.ToBytes(consolidated));
    }

    private void AddCoordinate(string name, string dtype, int length, byte[] chunk, JsonObject attributes)
    {
        var withDimensions = new JsonObject { [ZarrFormat.DimensionsAttribute] = ZarrFormat.Strings([name]) };
        foreach (var (key, value) in attributes)
        {
            withDimensions[key] = value?.DeepClone();
        }

        AddArray(name, ZarrFormat.Array([length], [length], dtype, nanFill: false), withDimensions);
        AddChunk($"{name}/0", chunk);
    }
}
