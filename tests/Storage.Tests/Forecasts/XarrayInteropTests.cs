using System.Text.Json;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Testing;

namespace GraphCast.Orleans.Storage.Tests.Forecasts;

/// <summary>The forecast store as xarray sees it: <c>xarray.open_zarr</c> (Debian's python3-xarray and python3-zarr) reads the same coordinates and values.</summary>
/// <remarks>
/// The Python packages are required, not optional: scripts/test.sh installs them in CI (CI=true), and a machine without
/// them fails this test with the command that installs them.
/// </remarks>
public sealed class XarrayInteropTests : IDisposable
{

    // Prints what xarray decoded as JSON (NaN as null): dims, coordinate values, the decoded lead times and init time,
    // and each variable's dims, dtype, attributes, coordinates and values.
    private const string Script = """
        import json, sys
        import numpy as np
        import xarray as xr
        ds = xr.open_zarr(sys.argv[1], consolidated=True)
        def values(a):
            return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=np.float64).ravel()]
        print(json.dumps({
            "dims": {k: int(v) for k, v in sorted(ds.sizes.items())},
            "coords": sorted(ds.coords),
            "member": [int(v) for v in ds.member.values],
            "level": [int(v) for v in ds.level.values],
            "lat": values(ds.lat.values),
            "lon": values(ds.lon.values),
            "lead_time_dtype": str(ds.lead_time.dtype),
            "lead_time_hours": values(ds.lead_time.values / np.timedelta64(1, "h")),
            "time_dtype": str(ds.time.dtype),
            "time": str(np.datetime_as_string(ds.time.values, unit="s")),
            "attrs": dict(ds.attrs),
            "variables": {
                name: {
                    "dims": list(ds[name].dims),
                    "dtype": str(ds[name].dtype),
                    "units": ds[name].attrs.get("units"),
                    "long_name": ds[name].attrs.get("long_name"),
                    "coords": sorted(ds[name].coords),
                    "values": values(ds[name].values),
                }
                for name in sorted(ds.data_vars)
            },
        }))
        """;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-xarray-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData("none")]
    [InlineData("zlib:6")]
    [InlineData("zstd:3")]
    public async Task Xarray_opens_the_store_and_sees_the_same_coordinates_and_values(string compression)
    {
        var blobs = new LocalDirectoryBlobStore(_root.FullName);
        await ZarrForecastStoreTests.WriteSmallStoreAsync(blobs, compression);
        var reader = await ZarrForecastReader.OpenForRunAsync(blobs, "r1");

        using var seen = JsonDocument.Parse(await RunXarrayAsync(blobs.PathOf(RunLayout.ForecastStore("r1"))));
        var root = seen.RootElement;

        Assert.Equal(
            """{"lat":3,"lead_time":3,"level":2,"lon":4,"member":2}""",
            JsonSerializer.Serialize(root.GetProperty("dims")));
        Assert.Equal(["lat", "lead_time", "level", "lon", "member", "time"], Strings(root.GetProperty("coords")));
        Assert.Equal([0, 1], root.GetProperty("member").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([500, 850], root.GetProperty("level").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([-30f, 0f, 30f], Floats(root.GetProperty("lat")));
        Assert.Equal([0f, 90f, 180f, 270f], Floats(root.GetProperty("lon")));
        Assert.Equal("timedelta64[ns]", root.GetProperty("lead_time_dtype").GetString());
        Assert.Equal([6f, 12f, 18f], Floats(root.GetProperty("lead_time_hours")));
        Assert.Equal("datetime64[ns]", root.GetProperty("time_dtype").GetString());
        Assert.Equal("2022-06-15T12:00:00", root.GetProperty("time").GetString());
        Assert.Equal("""{"run_id":"r1","title":"GraphCast ensemble forecast"}""", JsonSerializer.Serialize(root.GetProperty("attrs")));

        var variables = root.GetProperty("variables");
        Assert.Equal(["2m_temperature", "temperature"], variables.EnumerateObject().Select(p => p.Name));
        foreach (var variable in reader.Layout.Variables)
        {
            var xarray = variables.GetProperty(variable.Name);
            var ours = await reader.ReadVariableAsync(variable.Name);
            Assert.Equal(ours.Dimensions, Strings(xarray.GetProperty("dims")));
            Assert.Equal("float32", xarray.GetProperty("dtype").GetString());
            Assert.Equal(variable.Units, xarray.GetProperty("units").GetString());
            Assert.Equal(variable.LongName, xarray.GetProperty("long_name").GetString());
            Assert.Contains("time", Strings(xarray.GetProperty("coords")));
            Assert.Equal(ours.Values, Floats(xarray.GetProperty("values")));
        }

        // The chunk that was never written is NaN for xarray too.
        Assert.Equal(24, variables.GetProperty("temperature").GetProperty("values").EnumerateArray().Count(v => v.ValueKind == JsonValueKind.Null));
    }

    [Fact]
    public async Task Xarray_decodes_an_init_time_on_a_whole_minute()
    {
        var blobs = new LocalDirectoryBlobStore(_root.FullName);
        var layout = ZarrForecastStoreTests.SmallLayout() with { InitTime = new DateTime(2026, 12, 2, 14, 7, 0, DateTimeKind.Utc) };
        await ZarrForecastWriter.CreateForRunAsync(blobs, "r1", layout);

        using var seen = JsonDocument.Parse(await RunXarrayAsync(blobs.PathOf(RunLayout.ForecastStore("r1"))));

        Assert.Equal("datetime64[ns]", seen.RootElement.GetProperty("time_dtype").GetString());
        Assert.Equal("2026-12-02T14:07:00", seen.RootElement.GetProperty("time").GetString());
    }

    private static Task<string> RunXarrayAsync(string storePath) =>
        ExternalTool.RunAsync(ExternalTool.Python, "python3-xarray python3-zarr", "-c", Script, storePath);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetString()!)];

    /// <summary>Values as float32; JSON null (NaN in Python) as NaN. Python prints float32 values widened to double exactly.</summary>
    private static float[] Floats(JsonElement array) =>
        [.. array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : (float)v.GetDouble())];
}
