using GraphCast.Testing;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>Forecast regions from the command line: a nest over Europe from the IFS sample, read back by xarray; bad regions; describe.</summary>
public sealed class RegionCommandTests : IDisposable
{
    private static readonly string Grib = SharedData.File("ifs-2024-06-03", "pl_regular_ll.grib");
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-regions-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_nest_over_Europe_driven_by_a_demo_member_from_the_IFS_sample_and_a_cutout_open_in_xarray()
    {
        var (code, output, error) = await Cli.RunAsync(
            "forecast", "--preset", "demo", "--init", Grib, "--init-time", "2024-06-03T06:00Z", "--fill", "interpolate,analytic",
            "--members", "1", "--steps", "1", "--output", _dir, "--run-id", "eu",
            "--region", "europe:35:70:-10:30:0.5:3h", "--region", "west:30:60:-20:20", "--region-model", "west=none");
        Assert.True(code == 0, output + error);
        var europe = Path.Combine(_dir, "runs", "eu", "regions", "europe", "forecast.zarr");
        Assert.Contains($"Region europe: 1 members × 2 steps → {europe}", output, StringComparison.Ordinal);
        Assert.Contains("Region west: 1 members × 1 steps →", output, StringComparison.Ordinal);

        var script = string.Join('\n',
            "import sys, xarray as xr, numpy as np",
            "p = xr.open_zarr(sys.argv[1]); r = xr.open_zarr(sys.argv[2]); c = xr.open_zarr(sys.argv[3])",
            "t = r['temperature']",
            "print('dims', ','.join(t.dims), 'shape', ','.join(map(str, t.shape)))",
            "print('lat', float(r.lat[0]), float(r.lat[-1]), 'lon', float(r.lon[0]), float(r.lon[-1]))",
            "print('lead', ','.join(str(int(h)) for h in r.lead_time.values.astype('timedelta64[h]').astype(int)))",
            "print('attrs', r.attrs['parent_run'], r.attrs['region'], r.attrs['region_definition'], r.attrs['region_model'])",
            "print('finite', bool(np.isfinite(t.values).all()))",
            // At the end of the parent step the boundary equals the parent's fields where the grids share a point.
            "a = r['2m_temperature'].isel(member=0, lead_time=1); b = p['2m_temperature'].isel(member=0, lead_time=0)",
            "print('boundary', all(float(a.sel(lat=la, lon=lo)) == float(b.sel(lat=la, lon=lo % 360)) for la, lo in [(36, -10), (70, 0), (50, 30), (70, 20)]))",
            "w = p['temperature'].isel(member=0).sel(lat=slice(30, 60)).roll(lon=10, roll_coords=True).isel(lon=slice(0, 21))",
            "print('cutout', np.array_equal(c['temperature'].isel(member=0).values, w.values), ','.join(map(str, c['temperature'].shape)))");
        var result = await ExternalTool.RunAsync(ExternalTool.Python, "python3-xarray python3-zarr", "-c", script, Path.Combine(_dir, "runs", "eu", "forecast.zarr"), europe, Path.Combine(_dir, "runs", "eu", "regions", "west", "forecast.zarr"));
        var lines = result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                "dims member,lead_time,level,lat,lon shape 1,2,13,71,81",
                "lat 35.0 70.0 lon -10.0 30.0",
                "lead 3,6",
                "attrs eu europe europe:35:70:-10:30:0.5:3h:2 seed:0",
                "finite True",
                "boundary True",
                "cutout True 1,1,13,16,21",
            ],
            lines);

        // export --region: the region's store, as netCDF-4; a region the run lacks is one line.
        var nc = Path.Combine(_dir, "west.nc");
        var (exportCode, exported, exportError) = await Cli.RunAsync("export", "eu", "--region", "west", "--format", "netcdf", "--out", nc, "--output", _dir);
        Assert.True(exportCode == 0, exported + exportError);
        var shape = await ExternalTool.RunAsync(ExternalTool.Python, "python3-xarray python3-netcdf4", "-c", "import sys, xarray as xr; print(','.join(map(str, xr.open_dataset(sys.argv[1])['temperature'].shape)))", nc);
        Assert.Equal("1,1,13,16,21", shape.Trim());
        var (badCode, _, badError) = await Cli.RunAsync("export", "eu", "--region", "asia", "--format", "zarr", "--output", _dir);
        Assert.Equal(2, badCode);
        Assert.Equal("graphcast: --region asia: run 'eu' has no region 'asia'; its regions: europe, west.", badError.Trim());
    }

    [Theory]
    [InlineData(new[] { "--region", "europe:70:35:-10:30" }, "graphcast: Region 'europe': LAT0 70 must be south of LAT1 35: give the southern edge first, e.g. europe:35:70:….")]
    [InlineData(new[] { "--region", "europe:30:70:-10:30", "--region-model", "asia=none" }, "graphcast: --region-model 'asia=none': there is no --region named 'asia' (regions: europe).")]
    [InlineData(new[] { "--region", "europe:30:70:-10:30", "--region-model", "europe=/no/such.safetensors" }, "graphcast: --region-model europe=/no/such.safetensors: no such file; give a .safetensors or .npz file of the region's weights, or seed:N.")]
    [InlineData(new[] { "--region", "a:30:70:-10:30", "--region", "a:0:40:0:40" }, "graphcast: Two regions are named 'a': give each --region its own name.")]
    public async Task Bad_regions_are_one_line_errors_and_write_nothing(string[] regionArguments, string message)
    {
        var output = Path.Combine(_dir, "out");
        var (code, _, error) = await Cli.RunAsync(["forecast", "--preset", "tiny", "--members", "1", "--steps", "1", "--output", output, "--run-id", "bad", .. regionArguments]);
        Assert.Equal(2, code);
        Assert.Equal(message, error.Trim());
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Model_describe_prints_a_regions_grid_mesh_edges_and_parameters()
    {
        var (code, output, error) = await Cli.RunAsync("model", "describe", "--preset", "demo", "--region", "europe:35:70:-10:30:0.5:3h");
        Assert.True(code == 0, output + error);
        Assert.Contains("region             europe (europe:35:70:-10:30:0.5:3h:2) nested in demo, model seed:0", output, StringComparison.Ordinal);
        Assert.Contains("grid               71 × 81 = 5,751 nodes, lat 35..70, lon -10..30, 0.5°", output, StringComparison.Ordinal);
        Assert.Contains("step               3 h (2 per parent step); boundary 2 cells = 592 nodes", output, StringComparison.Ordinal);
        Assert.Contains("mesh (M0..M6)      1,235 nodes, 9,334 edges", output, StringComparison.Ordinal);
        Assert.Contains("input channels     ", output, StringComparison.Ordinal);
    }
}
