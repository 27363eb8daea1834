using System.Diagnostics;
using System.Text.Json;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Tests.Cluster;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Hostile;

/// <summary>
/// SIGTERM (what systemd, Kubernetes and CI send) on a real <c>graphcast forecast</c> process: the embedded run is cancelled
/// cleanly — members keep their checkpoints, the manifest says Cancelled — the process exits with 130, and
/// <c>graphcast resume</c> finishes a forecast equal, chunk for chunk, to an uninterrupted one.
/// </summary>
// Timed against real processes: alone, so that a busy thread pool does not stretch the polling between steps.
[Collection(nameof(SystemTestCollection))]
public sealed class SignalTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sigterm_cancels_an_embedded_forecast_cleanly_and_resume_gives_the_uninterrupted_forecast_bit_for_bit()
    {
        var interrupted = Path.Combine(_dir, "interrupted");
        string[] forecast = ["forecast", "--preset", "tiny", "--members", "2", "--steps", "40", "--seed", "7", "--run-id", "sig"];
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "graphcast")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var argument in forecast.Concat(["--output", interrupted]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var manifest = Path.Combine(interrupted, "runs", "sig", "run.json");
        var waited = Stopwatch.StartNew();
        for (var done = StepsDone(manifest); done < 4; done = StepsDone(manifest))
        {
            log.WriteLine($"{waited.Elapsed.TotalSeconds:F1} s: {done} member steps");
            if (process.HasExited)
            {
                Assert.Fail("the forecast ended before it could be interrupted: " + await stderr); // Awaited only then: it waits for the end.
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), "waited 3 min for the forecast to reach 4 member steps");
            await Task.Delay(200);
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.True(kill.ExitCode == 0, $"kill failed: the forecast {(process.HasExited ? $"had exited with {process.ExitCode}: {await stdout} {await stderr}" : "runs")}");
        }

        var exit = Stopwatch.StartNew();
        using (var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await process.WaitForExitAsync(hang.Token);
        }

        log.WriteLine($"exited {exit.Elapsed.TotalSeconds:F1} s after SIGTERM");
        Assert.True(process.ExitCode == ExitCodes.Cancelled, await stdout + await stderr);
        Assert.Contains("Run sig cancelled at ", await stdout, StringComparison.Ordinal);
        Assert.EndsWith("\ngraphcast: cancelled.", "\n" + (await stderr).Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await stdout, StringComparison.Ordinal);
        using (var cancelled = JsonDocument.Parse(File.ReadAllText(manifest)))
        {
            Assert.Equal("Cancelled", cancelled.RootElement.GetProperty("state").GetString());
            Assert.True(StepsDone(manifest) < 80, "the run was finished before the signal");
        }

        var (resumed, resumeOut, resumeError) = await Cli.RunAsync("resume", "sig", "--output", interrupted);
        Assert.True(resumed == 0, resumeOut + resumeError);
        Assert.Contains("Run sig: Completed", resumeOut, StringComparison.Ordinal);

        var uninterrupted = Path.Combine(_dir, "uninterrupted");
        var (code, output, error) = await Cli.RunAsync([.. forecast, "--output", uninterrupted]);
        Assert.True(code == 0, output + error);

        var a = Chunks(Path.Combine(interrupted, "runs", "sig", "forecast.zarr"));
        var b = Chunks(Path.Combine(uninterrupted, "runs", "sig", "forecast.zarr"));
        Assert.Equal(b.Keys, a.Keys);
        Assert.True(a.Count >= 2 * 40, $"{a.Count} chunks"); // at least one variable's 2 members × 40 steps
        Assert.All(b, chunk => Assert.True(chunk.Value.AsSpan().SequenceEqual(a[chunk.Key]), $"chunk {chunk.Key} differs"));
    }

    private static int StepsDone(string manifest)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(manifest));
            return json.RootElement.GetProperty("members").EnumerateArray().Sum(m => m.GetProperty("step").GetInt32());
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return 0; // Not written yet.
        }
    }

    /// <summary>Every data chunk of a forecast store (not its metadata, which records the run's creation time), by name.</summary>
    private static SortedDictionary<string, byte[]> Chunks(string store) =>
        new(Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetDirectoryName(f) != store)
            .ToDictionary(f => Path.GetRelativePath(store, f), File.ReadAllBytes), StringComparer.Ordinal);
}
