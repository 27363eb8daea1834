using System.Globalization;
using System.Text.Json;
using GraphCast.Orleans.Client.Cluster;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>
/// <c>graphcast serve</c> and <c>graphcast schedule …</c> on a local store: a schedule added, triggered, run, shown, paused
/// and removed through the serve's grains; bad input refused with one line and nothing stored; serve stopping cleanly.
/// </summary>
public sealed class ScheduleCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-schedule-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => Cli.RunAsync(args);

    [Fact]
    public async Task A_schedule_on_a_served_store_is_added_triggered_run_shown_paused_and_removed()
    {
        await using var serve = await Serve.StartAsync(_dir);

        // Yearly: the only cycle that can run is the one triggered below.
        var (addCode, added, addError) = await RunAsync(
            "schedule", "add", "yearly", "--output", _dir, "--cron", "0 0 1 1 *", "--preset", "tiny", "--members", "1", "--steps", "1", "--perturb", "none", "--json");
        Assert.True(addCode == 0, added + addError);
        var year = DateTime.UtcNow.Year;
        var cycle = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var runId = $"yearly-{year}0101T0000";
        using (var view = JsonDocument.Parse(added))
        {
            var r = view.RootElement;
            Assert.Equal(("yearly", "0 0 1 1 *", "UTC", false), (r.GetProperty("name").GetString(), r.GetProperty("cron").GetString(), r.GetProperty("time_zone").GetString(), r.GetProperty("paused").GetBoolean()));
            var template = r.GetProperty("template");
            Assert.Equal(("tiny", 1, 1, "none"), (template.GetProperty("model").GetString(), template.GetProperty("members").GetInt32(), template.GetProperty("steps").GetInt32(), template.GetProperty("perturbation").GetString()));
            Assert.Equal(cycle.AddYears(1), r.GetProperty("next_due").GetDateTime().ToUniversalTime());
            Assert.Empty(r.GetProperty("cycles").EnumerateArray());
        }

        var (triggerCode, triggered, triggerError) = await RunAsync("schedule", "trigger", "yearly", "--output", _dir);
        Assert.True(triggerCode == 0, triggered + triggerError);
        Assert.StartsWith($"Cycle {year}-01-01T00:00Z of yearly: ", triggered, StringComparison.Ordinal);
        Assert.Contains($"run {runId}", triggered, StringComparison.Ordinal);

        var record = await WaitForAsync(async () =>
        {
            var (code, history, error) = await RunAsync("schedule", "history", "yearly", "--output", _dir, "--json");
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(history);
            var one = Assert.Single(json.RootElement.EnumerateArray());
            return one.GetProperty("state").GetString() == "Completed" ? one.Clone() : (JsonElement?)null;
        }, "the triggered cycle to complete");
        Assert.Equal((runId, "Triggered"), (record.GetProperty("run_id").GetString(), record.GetProperty("origin").GetString()));
        Assert.Equal(cycle, record.GetProperty("cycle_time").GetDateTime().ToUniversalTime());
        var submitted = record.GetProperty("submitted_utc").GetDateTime().ToUniversalTime();
        var due = record.GetProperty("due_utc").GetDateTime().ToUniversalTime();
        Assert.Equal((submitted - due).TotalSeconds, record.GetProperty("due_to_started_seconds").GetDouble(), 6);
        Assert.True(record.GetProperty("started_to_completed_seconds").GetDouble() > 0);

        var (showCode, show, _) = await RunAsync("schedule", "show", "yearly", "--output", _dir);
        Assert.Equal(0, showCode);
        Assert.Contains("Schedule yearly: cron '0 0 1 1 *'; runs tiny, 1 members × 1 steps, perturbation none, seed 0", show, StringComparison.Ordinal);
        Assert.Contains($"Next due: {year + 1}-01-01T00:00Z", show, StringComparison.Ordinal);
        Assert.Matches($@"{year}-01-01T00:00Z\s+Completed\s+Triggered\s+\+\d+\.\d s\s+\+\d+\.\d s\s+{runId}", show);

        var (runsCode, runs, _) = await RunAsync("runs", "--output", _dir, "--json");
        Assert.Equal(0, runsCode);
        using (var json = JsonDocument.Parse(runs))
        {
            var run = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal((runId, "Completed"), (run.GetProperty("run_id").GetString(), run.GetProperty("state").GetString()));
        }

        var (pauseCode, paused, _) = await RunAsync("schedule", "pause", "yearly", "--output", _dir);
        Assert.Equal(0, pauseCode);
        Assert.Equal("Schedule yearly paused; next due: none while paused.", paused.Trim());
        var (listCode, list, _) = await RunAsync("schedule", "list", "--output", _dir, "--json");
        Assert.Equal(0, listCode);
        using (var json = JsonDocument.Parse(list))
        {
            var one = Assert.Single(json.RootElement.EnumerateArray());
            Assert.True(one.GetProperty("paused").GetBoolean());
            Assert.Equal(JsonValueKind.Null, one.GetProperty("next_due").ValueKind);
            Assert.Equal("Completed", one.GetProperty("last_cycle").GetProperty("state").GetString());
        }

        var (pinCode, pinned, _) = await RunAsync("schedule", "pin", "yearly", "--output", _dir, "--cycle", $"{year}-01-01T00:00Z");
        Assert.Equal(0, pinCode);
        Assert.Equal($"Cycle {year}-01-01T00:00Z of yearly pinned; pinned cycles: {year}-01-01T00:00Z.", pinned.Trim());

        var (removeCode, removed, _) = await RunAsync("schedule", "remove", "yearly", "--output", _dir);
        Assert.Equal(0, removeCode);
        Assert.Equal($"Schedule yearly removed: 1 cycle record(s), 0 run(s) deleted, 1 kept.\n  kept {runId}: pinned", removed.Trim().ReplaceLineEndings("\n"));
        var folder = Path.Combine(_dir, "schedules", "yearly");
        Assert.Empty(Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : []);
        Assert.True(File.Exists(Path.Combine(_dir, "runs", runId, "run.json")));

        var (stopCode, serveOut) = await serve.StopAsync();
        Assert.True(stopCode == 0, serveOut);
        Assert.EndsWith("Stopped.", serveOut.Trim(), StringComparison.Ordinal);
        Assert.False(File.Exists(ServeProfile.PathOf(_dir)));

        var (afterCode, _, after) = await RunAsync("schedule", "resume", "yearly", "--output", _dir);
        Assert.Equal(2, afterCode);
        Assert.Equal($"graphcast: No 'graphcast serve' runs on {_dir}: a local store's schedules are kept by the silo that ticks them. Start one with 'graphcast serve --output {_dir}' (it stays up until Ctrl-C), then run this again; or add --cluster.", after.Trim());
    }

    [Fact]
    public async Task Bad_schedules_are_one_line_errors_and_store_nothing()
    {
        await using var serve = await Serve.StartAsync(_dir);
        (string[] Args, string Error)[] cases =
        [
            (["--cron", "0 25 * * *"], "graphcast: Cron expression '0 25 * * *': the hour field '25' is invalid (hour takes 0-23, lists a,b, ranges a-b and steps */n; e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC)."),
            (["--cron", "0 * * * *", "--zone", "Mars/Olympus"], "graphcast: Unknown time zone 'Mars/Olympus': give an IANA name such as Europe/Berlin or America/New_York, or UTC (the default)."),
            (["--cron", "0 * * * *", "--init", "ifs/latest.grib"], "graphcast: --init 'ifs/latest.grib' has no cycle placeholder, so every cycle would read the same data: put the cycle time in it, e.g. 'ifs/{cycle:yyyyMMddHH}.grib'."),
            (["--cron", "0 */6 * * *", "--init", "ifs/{cycle}.grib", "--max-wait", "8h"], "graphcast: --max-wait 8h is longer than the cycle interval 6h: a cycle still waiting would hold back the next one. Shorten --max-wait, or let cycles overlap with --max-active 2 (or more)."),
            (["--cron", "0 * * * *", "--preset", "graphcast-huge"], "graphcast: Unknown preset 'graphcast-huge'. Known presets: graphcast-0.25deg, graphcast-small, graphcast-operational, tiny, demo."),
            (["--cron", "0 * * * *", "--members", "0"], "graphcast: --members must be an integer ≥ 1, not '0'."),
            (["--cron", "0 * * * *", "--preset", "tiny", "--variables", "snowfall"], null!),
        ];
        foreach (var (args, expected) in cases)
        {
            var (code, output, error) = await RunAsync(["schedule", "add", "bad", "--output", _dir, .. args]);
            Assert.True(code == 2, $"{string.Join(' ', args)}: {output}{error}");
            Assert.Single(error.Trim().Split('\n'));
            if (expected is not null)
            {
                Assert.Equal(expected, error.Trim());
            }
            else
            {
                Assert.StartsWith("graphcast: Output variable(s) 'snowfall' are not predicted by the model.", error, StringComparison.Ordinal);
            }
        }

        var (nameCode, _, nameError) = await RunAsync("schedule", "add", "../escape", "--output", _dir, "--cron", "0 * * * *");
        Assert.Equal(2, nameCode);
        Assert.StartsWith("graphcast: '../escape' is not a valid schedule name: use 1 to 114 letters, digits, '.', '_' or '-'", nameError, StringComparison.Ordinal);
        var (showCode, _, showError) = await RunAsync("schedule", "show", "bad", "--output", _dir);
        Assert.Equal(2, showCode);
        Assert.StartsWith("graphcast: There is no schedule 'bad' in ", showError, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(_dir, "schedules")) ? Directory.GetFileSystemEntries(Path.Combine(_dir, "schedules")) : []);
    }

    [Fact]
    public async Task Serve_as_its_own_process_takes_schedule_commands_from_another_and_stops_cleanly_on_SIGTERM()
    {
        var log = Path.Combine(_dir, "serve.log");
        var store = Path.Combine(_dir, "store");
        _ = DetachedProcess.Start(Path.Combine(AppContext.BaseDirectory, "graphcast"), ["serve", "--output", store], log, _dir);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        string? profile;
        while ((profile = ServeProfile.FindRunning(store)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "serve did not start: " + (File.Exists(log) ? await File.ReadAllTextAsync(log) : "no log"));
            await Task.Delay(200);
        }

        var pid = ClusterProfile.Load(profile).Silos.Single().Pid;
        try
        {
            var (code, added, error) = await RunAsync("schedule", "add", "daily", "--output", store, "--cron", "0 6 * * *", "--zone", "Europe/Berlin", "--preset", "tiny");
            Assert.True(code == 0, added + error);
            Assert.Contains("Schedule daily: cron '0 6 * * * (Europe/Berlin)'; runs tiny, 4 members × 8 steps", added, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(store, "schedules", "daily", "schedule.json")));
        }
        finally
        {
            await DetachedProcess.StopAsync(pid, TimeSpan.FromSeconds(30));
        }

        var text = await File.ReadAllTextAsync(log);
        Assert.EndsWith("Stopped.", text.Trim(), StringComparison.Ordinal);
        Assert.Contains("Stopping: runs in flight keep their checkpoints", text, StringComparison.Ordinal);
        Assert.False(File.Exists(ServeProfile.PathOf(store)));
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<JsonElement?>> probe, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Timed out after 3 min waiting for {what}.");
    }

    /// <summary><c>graphcast serve --output DIR</c> in this process, stopped as Ctrl-C stops it (its cancellation token).</summary>
    private sealed class Serve : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _output = new();
        private Task<int>? _run;

        public static async Task<Serve> StartAsync(string dir)
        {
            var serve = new Serve();
            var error = new StringWriter();
            serve._run = CommandLine.RunAsync(["serve", "--output", dir], serve._output, error, serve._stop.Token);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (ServeProfile.FindRunning(dir) is null)
            {
                if (serve._run.IsCompleted || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"graphcast serve did not publish {ServeProfile.PathOf(dir)}: {serve._output}{error}");
                }

                await Task.Delay(100);
            }

            return serve;
        }

        public async Task<(int Code, string Output)> StopAsync()
        {
            await _stop.CancelAsync();
            var code = await _run!;
            return (code, _output.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await StopAsync();
            }

            _stop.Dispose();
        }
    }
}
