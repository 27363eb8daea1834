using System.Globalization;
using GraphCast.Formats.NetCdf;
using GraphCast.Formats.Zarr;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// A run's forecast as a CF-1.8 netCDF-4 file: every member and lead time of every output variable, with coordinates
/// member, lead_time, level, lat, lon, the init time (<c>time</c>, forecast_reference_time) and the valid time per lead
/// time (<c>valid_time</c>), units, long and standard names. Values are streamed chunk by chunk from the Zarr store.
/// </summary>
public static class ForecastNetCdfExport
{
    /// <summary>CF standard names of the GraphCast variables that have one (units as the model writes them).</summary>
    public static readonly IReadOnlyDictionary<string, string> StandardNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["2m_temperature"] = "air_temperature",
        ["temperature"] = "air_temperature",
        ["10m_u_component_of_wind"] = "eastward_wind",
        ["u_component_of_wind"] = "eastward_wind",
        ["10m_v_component_of_wind"] = "northward_wind",
        ["v_component_of_wind"] = "northward_wind",
        ["geopotential"] = "geopotential",
        ["specific_humidity"] = "specific_humidity",
        ["mean_sea_level_pressure"] = "air_pressure_at_mean_sea_level",
        ["vertical_velocity"] = "lagrangian_tendency_of_air_pressure",
        // Precipitation in metres of water: the liquid-water-equivalent thickness.
        ["total_precipitation_6hr"] = "lwe_thickness_of_precipitation_amount",
        ["geopotential_at_surface"] = "surface_geopotential",
        ["land_sea_mask"] = "land_binary_mask",
    };

    /// <summary>Writes the forecast of <paramref name="forecast"/> to <paramref name="path"/> (replaced once complete).</summary>
    /// <param name="attributes">Extra global attributes (run id, model, …), after Conventions and title.</param>
    public static Task WriteAsync(ZarrForecastReader forecast, string runId, string path, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        var layout = forecast.Layout;
        var writer = new NetCdf4Writer();
        // The store's own provenance (Conventions, title, source, run and spec attributes) wins over these defaults, and
        // its history gets this export appended, as CF asks.
        var global = new List<KeyValuePair<string, string>>
        {
            new("Conventions", "CF-1.8"),
            new("title", $"GraphCast ensemble forecast {runId}"),
            new("institution", "GraphCast.Orleans"),
            new("source", "GraphCast (machine-learned weather model), ensemble rollout on GraphCast.Orleans"),
            new("init_time", layout.InitTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)),
        };
        var merged = global.Select(a => layout.Attributes.TryGetValue(a.Key, out var stored) ? new KeyValuePair<string, string>(a.Key, stored) : a)
            .Concat(layout.Attributes.Where(a => a.Key != "history")).Concat(attributes).DistinctBy(a => a.Key);
        foreach (var (key, value) in merged)
        {
            writer.AddAttribute(NetCdfAttribute.Text(key, value));
        }

        var exported = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} graphcast export {runId} --format netcdf");
        writer.AddAttribute(NetCdfAttribute.Text("history", layout.Attributes.TryGetValue("history", out var history) ? $"{history}\n{exported}" : exported));

        var member = ForecastStoreLayout.MemberDimension;
        var lead = ForecastStoreLayout.LeadTimeDimension;
        var level = ForecastStoreLayout.LevelDimension;
        var lat = ForecastStoreLayout.LatitudeDimension;
        var lon = ForecastStoreLayout.LongitudeDimension;
        writer.AddDimension(member, layout.Members).AddDimension(lead, layout.LeadTimesHours.Count);
        if (layout.Levels.Count > 0)
        {
            writer.AddDimension(level, layout.Levels.Count);
        }

        writer.AddDimension(lat, layout.Latitudes.Count).AddDimension(lon, layout.Longitudes.Count);

        writer.AddVariable(member, [member], Enumerable.Range(0, layout.Members).ToArray(), Text(("long_name", "ensemble member"), ("standard_name", "realization")));
        writer.AddVariable(lead, [lead], layout.LeadTimesHours.Select(h => (int)h).ToArray(),
            Text(("long_name", "forecast lead time"), ("standard_name", "forecast_period"), ("units", "hours")));
        if (layout.Levels.Count > 0)
        {
            writer.AddVariable(level, [level], layout.Levels.ToArray(),
                Text(("long_name", "pressure level"), ("standard_name", "air_pressure"), ("units", "hPa"), ("positive", "down"), ("axis", "Z")));
        }

        writer.AddVariable(lat, [lat], layout.Latitudes.ToArray(), Text(("long_name", "latitude"), ("standard_name", "latitude"), ("units", "degrees_north"), ("axis", "Y")));
        writer.AddVariable(lon, [lon], layout.Longitudes.ToArray(), Text(("long_name", "longitude"), ("standard_name", "longitude"), ("units", "degrees_east"), ("axis", "X")));
        // Minutes, as the Zarr store: a cycle may start on any whole minute.
        var init = ZarrForecastWriter.MinutesSinceEpoch(layout.InitTime);
        writer.AddVariable(ForecastStoreLayout.TimeCoordinate, [], new[] { init },
            Text(("long_name", "initialisation time"), ("standard_name", "forecast_reference_time"), ("units", ForecastStoreLayout.TimeUnits), ("calendar", "proleptic_gregorian")));
        writer.AddVariable("valid_time", [lead], layout.LeadTimesHours.Select(h => init + (h * 60)).ToArray(),
            Text(("long_name", "valid time"), ("standard_name", "time"), ("units", ForecastStoreLayout.TimeUnits), ("calendar", "proleptic_gregorian")));

        foreach (var variable in layout.Variables)
        {
            var attributesOf = new List<NetCdfAttribute>
            {
                NetCdfAttribute.Of("_FillValue", new[] { float.NaN }),
                NetCdfAttribute.Text("long_name", variable.LongName),
                NetCdfAttribute.Text("units", variable.Units),
            };
            if (StandardNames.TryGetValue(variable.Name, out var standard))
            {
                attributesOf.Add(NetCdfAttribute.Text("standard_name", standard));
            }

            attributesOf.Add(NetCdfAttribute.Text("coordinates", "time valid_time"));
            writer.AddVariable(variable.Name, NetCdfType.Float, layout.DimensionsOf(variable), attributesOf, async (stream, ct) =>
            {
                // (member, lead_time, [level,] lat, lon) in C order is the Zarr chunks one after another.
                for (var m = 0; m < layout.Members; m++)
                {
                    for (var s = 0; s < layout.LeadTimesHours.Count; s++)
                    {
                        var values = await forecast.ReadChunkAsync(variable.Name, m, s, ct).ConfigureAwait(false);
                        await stream.WriteAsync(ZarrFormat.LittleEndianBytes(values), ct).ConfigureAwait(false);
                    }
                }
            });
        }

        return writer.WriteAsync(path, cancellationToken);
    }

    private static NetCdfAttribute[] Text(params (string Name, string Value)[] attributes) =>
        [.. attributes.Select(a => NetCdfAttribute.Text(a.Name, a.Value))];
}
