using System.Text.Json;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>The embedded forecast: a real ensemble run end to end, then runs/status against its storage; bad input refused.</summary>
public sealed class ForecastCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-forecast-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => Cli.RunAsync(args);

    [Fact]
    public async Task A_compression_the_store_cannot_write_is_refused_in_one_line_before_anything_is_created()
    {
        var (code, output, error) = await RunAsync("forecast", "--preset", "tiny", "--members", "1", "--steps", "1", "--output", _dir, "--run-id", "bad-codec", "--compression", "zstd:30");
        Assert.True(code == 2, output + error);
        Assert.Equal("--compression: Compression level 30 of 'zstd:30' is out of range: zstd takes levels 1–22.", error.Trim().Split('\n').Single().Replace("graphcast: ", "", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs", "bad-codec")));
    }

    [Fact]
    public async Task An_embedded_forecast_runs_to_completion_and_writes_its_zarr_store()
    {
        var (code, output, error) = await RunAsync("forecast", "--preset", "tiny", "--members", "2", "--steps", "3", "--output", _dir, "--run-id", "cli-run", "--perturb", "correlated:0.05:800");
        Assert.True(code == 0, output + error);
        Assert.Contains("Run cli-run: Completed", output, StringComparison.Ordinal);
        var store = Path.Combine(_dir, "runs", "cli-run", "forecast.zarr");
        Assert.Contains(store, output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(store, ".zmetadata")));
        Assert.True(File.Exists(Path.Combine(store, "2m_temperature", "1.2.0.0")));
        Assert.True(File.Exists(Path.Combine(store, "temperature", "0.0.0.0.0")));
        // Compressed by default (lossless zstd level 3 over numcodecs' shuffle).
        using (var zarray = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(store, "temperature", ".zarray"))))
        {
            Assert.Equal("""{"id":"zstd","level":3}""", System.Text.Json.JsonSerializer.Serialize(zarray.RootElement.GetProperty("compressor")));
        }

        var (listCode, list, _) = await RunAsync("runs", "--output", _dir);
        Assert.Equal(0, listCode);
        Assert.Contains("cli-run", list, StringComparison.Ordinal);
        Assert.Contains("Completed", list, StringComparison.Ordinal);
        var (statusCode, status, _) = await RunAsync("status", "cli-run", "--output", _dir);
        Assert.Equal(0, statusCode);
        Assert.Contains("member   1", status, StringComparison.Ordinal);
        Assert.Contains("3/3 Completed", status, StringComparison.Ordinal);

        // An audit of member 1 from its initial condition: every stored chunk recomputed bit for bit.
        var (replayCode, replay, replayError) = await RunAsync("replay", "cli-run", "--member", "1", "--output", _dir);
        Assert.True(replayCode == 0, replay + replayError);
        Assert.Matches(@"^Member 1 of run cli-run: steps 1 to 3 recomputed, \d+ chunks bit-identical to the stored ones\.$", replay.Trim().Split('\n')[^1].Trim());

        // The same as JSON.
        var (listJsonCode, listJson, listJsonError) = await RunAsync("runs", "--json", "--output", _dir);
        Assert.True(listJsonCode == 0, listJsonError);
        using (var runs = JsonDocument.Parse(listJson))
        {
            var run = Assert.Single(runs.RootElement.EnumerateArray());
            Assert.Equal("cli-run", run.GetProperty("run_id").GetString());
            Assert.Equal("Completed", run.GetProperty("state").GetString());
            Assert.Equal("tiny", run.GetProperty("model").GetString());
            Assert.Equal((2, 3), (run.GetProperty("members").GetInt32(), run.GetProperty("steps").GetInt32()));
            Assert.Equal((6, 6), (run.GetProperty("member_steps_done").GetInt32(), run.GetProperty("member_steps").GetInt32()));
            Assert.Equal(store, run.GetProperty("forecast_location").GetString());
        }

        var (statusJsonCode, statusJson, statusJsonError) = await RunAsync("status", "cli-run", "--json", "--output", _dir);
        Assert.True(statusJsonCode == 0, statusJsonError);
        using (var one = JsonDocument.Parse(statusJson))
        {
            var r = one.RootElement;
            Assert.Equal(("cli-run", "Completed", 2, 3), (r.GetProperty("run_id").GetString(), r.GetProperty("state").GetString(), r.GetProperty("members").GetInt32(), r.GetProperty("steps").GetInt32()));
            Assert.Equal("correlated:0.05:800", r.GetProperty("perturbation").GetString());
            Assert.Equal("2024-06-03T06:00:00Z", r.GetProperty("init_time").GetString());
            var members = r.GetProperty("member_progress").EnumerateArray().ToList();
            Assert.Equal([0, 1], members.Select(m => m.GetProperty("member").GetInt32()));
            Assert.All(members, m => Assert.Equal((3, "Completed"), (m.GetProperty("step").GetInt32(), m.GetProperty("state").GetString())));
            Assert.All(members, m => Assert.True(m.GetProperty("total_step_seconds").GetDouble() > 0));
        }

        // The same run id with another spec is refused in one line, and nothing changes.
        var before = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Length;
        var (again, _, againError) = await RunAsync("forecast", "--preset", "tiny", "--members", "2", "--steps", "4", "--output", _dir, "--run-id", "cli-run");
        Assert.Equal(2, again);
        Assert.Contains("already exists with a different spec", againError, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [InlineData(new[] { "forecast", "--members", "0" }, "--members must be an integer ≥ 1")]
    [InlineData(new[] { "forecast", "--steps", "-3" }, "--steps must be an integer ≥ 1")]
    [InlineData(new[] { "forecast", "--perturb", "uniform:1" }, "is not none, gaussian:AMP or correlated:AMP:LENGTH_KM")]
    [InlineData(new[] { "forecast", "--preset", "tiny", "--checkpoint", "x.npz" }, "not both")]
    [InlineData(new[] { "forecast", "--init", "era5.nc" }, "--init era5.nc: no such file or folder")]
    [InlineData(new[] { "forecast", "--fill", "analytic" }, "--fill applies to --init FILE")]
    [InlineData(new[] { "verify", "run-1" }, "--truth")]
    [InlineData(new[] { "status" }, "needs one run id")]
    public async Task Bad_forecast_arguments_are_one_line_errors(string[] args, string expected)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_preset_or_variable_or_an_init_time_with_seconds_is_refused_before_anything_is_written()
    {
        var (code, _, error) = await RunAsync("forecast", "--preset", "graphcast-huge", "--output", _dir, "--run-id", "bad");
        Assert.Equal(2, code);
        Assert.Contains("Unknown preset 'graphcast-huge'", error, StringComparison.Ordinal);
        var (code2, _, error2) = await RunAsync("forecast", "--preset", "tiny", "--variables", "snowfall", "--output", _dir, "--run-id", "bad2");
        Assert.Equal(2, code2);
        Assert.Contains("'snowfall'", error2, StringComparison.Ordinal);
        var (code3, _, error3) = await RunAsync("forecast", "--preset", "tiny", "--init-time", "2024-06-03T06:07:30Z", "--output", _dir, "--run-id", "bad3");
        Assert.Equal(2, code3);
        Assert.Equal("graphcast: The init time 2024-06-03T06:07:30Z has seconds: a forecast starts on a whole minute (its store counts minutes since 1970). Give e.g. 2024-06-03T06:07Z.", error3.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }
}
