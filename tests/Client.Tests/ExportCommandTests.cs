using System.Text.Json;
using GraphCast.Formats.NetCdf;
using GraphCast.Testing;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>
/// <c>graphcast export RUN --format netcdf</c>: a CF-1.8 netCDF-4 file that the project's reader, Debian's <c>ncdump</c>
/// (netcdf-bin, the netCDF-C library) and xarray (python3-xarray over python3-netcdf4) open with the same dimensions and values.
/// </summary>
/// <remarks>The Debian tools are required, not optional: scripts/test.sh installs them; a machine without them fails with the command that does.</remarks>
public sealed class ExportCommandTests : IAsyncLifetime
{

    private const string XarrayScript = """
        import json, sys
        import numpy as np
        import xarray as xr
        ds = xr.open_dataset(sys.argv[1], engine="netcdf4")
        print(json.dumps({
            "dims": {k: int(v) for k, v in sorted(ds.sizes.items())},
            "coords": sorted(ds.coords),
            "attrs": {k: str(v) for k, v in ds.attrs.items()},
            "time": str(np.datetime_as_string(ds.time.values, unit="s")),
            "valid_time": [str(t) for t in np.datetime_as_string(ds.valid_time.values, unit="s")],
            "lead_time_hours": [float(h) for h in ds.lead_time.values / np.timedelta64(1, "h")],
            "variables": {
                name: {
                    "dims": list(ds[name].dims),
                    "standard_name": ds[name].attrs.get("standard_name"),
                    "units": ds[name].attrs.get("units"),
                    "values": [float(v) for v in np.asarray(ds[name].values, dtype=np.float64).ravel()],
                }
                for name in sorted(ds.data_vars)
            },
        }))
        """;

    private StoredRunFixture _run = null!;

    private string NcPath => Path.Combine(_run.Directory, "export.nc");

    public async Task InitializeAsync()
    {
        _run = await StoredRunFixture.CreateAsync();
        var (code, output, error) = Run("export", StoredRunFixture.RunId, "--format", "netcdf", "--out", NcPath);
        Assert.True(code == 0, error);
        Assert.Contains("(netCDF-4, CF-1.8): 2 variables × 3 members × 2 lead times", output, StringComparison.Ordinal);
    }

    public Task DisposeAsync()
    {
        _run.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void The_projects_netcdf4_reader_sees_the_dimensions_coordinates_attributes_and_values()
    {
        using var ds = NetCdfDataset.Open(NcPath);
        Assert.Equal(NetCdfFormat.NetCdf4, ds.Format);
        Assert.Equal(["member:3", "lead_time:2", "level:2", "lat:5", "lon:8"], ds.Dimensions.Values.Select(d => $"{d.Name}:{d.Length}"));
        Assert.Equal("CF-1.8", ds.Attributes["Conventions"].GetText());
        Assert.Equal("2024-06-03T06:00:00Z", ds.Attributes["init_time"].GetText());
        Assert.Equal(StoredRunFixture.RunId, ds.Attributes["run_id"].GetText());
        Assert.Equal([500, 850], ds["level"].ReadDouble());
        Assert.Equal([6, 12], ds["lead_time"].ReadDouble());
        Assert.Equal([-60f, -30f, 0f, 30f, 60f], ds["lat"].ReadFloat());
        var initMinutes = (StoredRunFixture.InitTime - DateTime.UnixEpoch).TotalMinutes;
        Assert.Equal([initMinutes], ds["time"].ReadDouble());
        Assert.Equal([initMinutes + 360, initMinutes + 720], ds["valid_time"].ReadDouble());
        Assert.Equal("minutes since 1970-01-01 00:00:00", ds["time"].TextAttribute("units"));
        Assert.Equal("forecast_reference_time", ds["time"].TextAttribute("standard_name"));

        var temperature = ds["temperature"];
        Assert.Equal(["member", "lead_time", "level", "lat", "lon"], temperature.DimensionNames);
        Assert.Equal("K", temperature.Units);
        Assert.Equal("air_temperature", temperature.TextAttribute("standard_name"));
        Assert.Equal("time valid_time", temperature.TextAttribute("coordinates"));
        Assert.Equal(Expected("temperature", levels: 2), temperature.ReadFloat());
        Assert.Equal(["member", "lead_time", "lat", "lon"], ds["2m_temperature"].DimensionNames);
        Assert.Equal(Expected("2m_temperature", levels: 1), ds["2m_temperature"].ReadFloat());
    }

    [Fact]
    public async Task Ncdump_reads_the_header_with_named_dimensions_and_cf_attributes()
    {
        var header = await ExternalTool.RunAsync("ncdump", "netcdf-bin", "-h", NcPath);
        Assert.Contains("dimensions:\n\tmember = 3 ;\n\tlead_time = 2 ;\n\tlevel = 2 ;\n\tlat = 5 ;\n\tlon = 8 ;", header, StringComparison.Ordinal);
        Assert.Contains("float temperature(member, lead_time, level, lat, lon) ;", header, StringComparison.Ordinal);
        Assert.Contains("int64 time ;", header, StringComparison.Ordinal);
        Assert.Contains("int64 valid_time(lead_time) ;", header, StringComparison.Ordinal);
        Assert.Contains("temperature:units = \"K\" ;", header, StringComparison.Ordinal);
        Assert.Contains(":Conventions = \"CF-1.8\" ;", header, StringComparison.Ordinal);
        Assert.DoesNotContain("phony_dim", header, StringComparison.Ordinal);

        // Values too, through the dimension scale's data.
        var data = await ExternalTool.RunAsync("ncdump", "netcdf-bin", "-v", "lat", NcPath);
        Assert.Contains("lat = -60, -30, 0, 30, 60 ;", data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Xarray_opens_it_with_decoded_times_and_the_same_values()
    {
        using var seen = JsonDocument.Parse(await ExternalTool.RunAsync(ExternalTool.Python, "python3-xarray python3-netcdf4", "-c", XarrayScript, NcPath));
        var root = seen.RootElement;
        Assert.Equal("""{"lat":5,"lead_time":2,"level":2,"lon":8,"member":3}""", JsonSerializer.Serialize(root.GetProperty("dims")));
        Assert.Equal(["lat", "lead_time", "level", "lon", "member", "time", "valid_time"], root.GetProperty("coords").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("2024-06-03T06:00:00", root.GetProperty("time").GetString());
        Assert.Equal(["2024-06-03T12:00:00", "2024-06-03T18:00:00"], root.GetProperty("valid_time").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal([6.0, 12.0], root.GetProperty("lead_time_hours").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("CF-1.8", root.GetProperty("attrs").GetProperty("Conventions").GetString());
        var variables = root.GetProperty("variables");
        foreach (var (name, levels) in new[] { ("2m_temperature", 1), ("temperature", 2) })
        {
            var variable = variables.GetProperty(name);
            Assert.Equal("air_temperature", variable.GetProperty("standard_name").GetString());
            Assert.Equal("K", variable.GetProperty("units").GetString());
            Assert.Equal(Expected(name, levels), variable.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()));
        }
    }

    [Fact]
    public void A_zarr_export_is_a_byte_identical_copy_of_the_runs_forecast_store_and_never_overwrites()
    {
        var target = Path.Combine(_run.Directory, "copy.zarr");
        var (code, output, error) = Run("export", StoredRunFixture.RunId, "--format", "zarr", "--out", target);
        Assert.True(code == 0, error);
        Assert.Contains($"Wrote {target} (Zarr v2", output, StringComparison.Ordinal);
        var source = Path.Combine(_run.Directory, "runs", StoredRunFixture.RunId, "forecast.zarr");
        var expected = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal).ToList();
        var actual = Directory.GetFiles(target, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(target, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
        Assert.Contains(Path.Combine("temperature", "2.1.0.0.0"), actual);
        Assert.All(expected, f => Assert.Equal(File.ReadAllBytes(Path.Combine(source, f)), File.ReadAllBytes(Path.Combine(target, f))));

        // Again to the same path: refused in one line, the copy untouched.
        var (again, _, againError) = Run("export", StoredRunFixture.RunId, "--format", "zarr", "--out", target);
        Assert.Equal(2, again);
        Assert.Contains("already exists", againError, StringComparison.Ordinal);
        Assert.Equal(actual.Count, Directory.GetFiles(target, "*", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [InlineData("--format grib", "--format grib: use --format netcdf (CF-1.8 netCDF-4) or --format zarr")]
    [InlineData("", "Option '--format' is required.")]
    public void Bad_formats_give_one_line_naming_the_fix(string options, string message)
    {
        var (code, _, error) = Run(["export", StoredRunFixture.RunId, .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    /// <summary>The fixture's values of <paramref name="variable"/> in (member, lead_time, [level,] lat, lon) C order.</summary>
    private static float[] Expected(string variable, int levels)
    {
        var layout = StoredRunFixture.Layout;
        var values = new List<float>();
        for (var m = 0; m < layout.Members; m++)
        {
            for (var s = 0; s < layout.LeadTimesHours.Count; s++)
            {
                for (var l = 0; l < levels; l++)
                {
                    for (var i = 0; i < layout.Latitudes.Count; i++)
                    {
                        for (var j = 0; j < layout.Longitudes.Count; j++)
                        {
                            values.Add(StoredRunFixture.Value(variable, m, s, l, i, j));
                        }
                    }
                }
            }
        }

        return [.. values];
    }

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run([.. args, "--output", _run.Directory], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
