using System.Globalization;
using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// A schedule on a real cluster of separate processes (Azurite, silo processes, Azure Table reminders): a cycle every
/// minute on <c>tiny</c> while the silo holding the schedule grain is killed with SIGKILL. Every due cycle runs exactly once
/// — one run per cycle, no gap, no duplicate — and each forecast is bit-identical to the same spec run by hand.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class ScheduleSystemTests(LocalClusterFixture fixture, ITestOutputHelper output) : IClassFixture<LocalClusterFixture>
{
    private const string Name = "every-minute";
    private const int Members = 2;
    private const int Steps = 2;

    [Fact]
    public async Task A_schedule_every_minute_runs_each_cycle_once_across_a_SIGKILL_of_the_silo_holding_it()
    {
        await fixture.RestoreAsync();
        var cluster = new[] { "--cluster", "--cluster-dir", fixture.Directory };
        await CliAsync(["schedule", "add", Name, .. cluster, "--cron", "* * * * *", "--preset", "tiny", "--members", Members.ToString(CultureInfo.InvariantCulture),
            "--steps", Steps.ToString(CultureInfo.InvariantCulture), "--seed", "11", "--perturb", "gaussian:0.1", "--catch-up", "all", "--max-catch-up", "10"]);

        // Two cycles done, then SIGKILL of the silo holding the schedule grain (its reminder and timers die with it).
        await WaitForCyclesAsync(cycles => cycles.Count(c => c.State == CycleState.Completed) >= 2, "two completed cycles");
        string victim;
        await using (var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None))
        {
            var address = await client.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(client.Grains.GetGrain<IForecastScheduleGrain>(Name))
                ?? throw new InvalidOperationException($"The schedule grain '{Name}' is not active on any silo.");
            victim = fixture.Cluster.NameOf(address.ToString()) ?? throw new InvalidOperationException($"No silo process has address {address}.");
        }

        var killedAt = DateTime.UtcNow;
        fixture.Cluster.KillSilo(victim);
        output.WriteLine($"{killedAt:HH:mm:ss.fff} kill -9 {victim} (holding schedule grain {Name})");

        // At least four cycles in all, two of them due after the kill; then pause (no new cycles) and let the last ones end.
        await WaitForCyclesAsync(
            cycles => cycles.Count(c => c.State == CycleState.Completed) >= 4 && cycles.Count(c => c.CycleTime > killedAt && c.State == CycleState.Completed) >= 2,
            "four completed cycles, two of them due after the kill");
        await CliAsync(["schedule", "pause", Name, .. cluster]);
        var history = await WaitForCyclesAsync(cycles => cycles.All(c => c.IsFinal), "every cycle to end");

        var (_, shown) = await CliAsync(["schedule", "show", Name, .. cluster, "--json"]);
        DateTime created;
        using (var view = JsonDocument.Parse(shown))
        {
            created = view.RootElement.GetProperty("created_utc").GetDateTime().ToUniversalTime();
        }

        // Every due cycle, once: consecutive minutes from the first after the schedule was added, each Completed, its own run.
        var cycles = history.OrderBy(c => c.CycleTime).ToList();
        var first = new DateTime(created.Ticks - (created.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc).AddMinutes(1);
        Assert.Equal(first, cycles[0].CycleTime);
        Assert.Equal(Enumerable.Range(0, cycles.Count).Select(i => first.AddMinutes(i)), cycles.Select(c => c.CycleTime));
        Assert.All(cycles, c => Assert.True(c.State == CycleState.Completed && c.Origin == CycleOrigin.Scheduled, $"{c.CycleTime:HH:mm} {c.State} {c.Origin}: {c.Reason}"));
        Assert.Equal(cycles.Select(c => $"{Name}-{c.CycleTime:yyyyMMdd'T'HHmm}"), cycles.Select(c => c.RunId));
        Assert.Equal(cycles.Count, cycles.Select(c => c.RunId).Distinct().Count());
        Assert.True(cycles.Count >= 4, $"{cycles.Count} cycles");

        await using var connection = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var runs = (await new RunManifestStore(connection.Storage).ListAsync()).Where(r => r.RunId.StartsWith(Name + "-", StringComparison.Ordinal)).ToList();
        Assert.Equal(cycles.Select(c => c.RunId).Order(StringComparer.Ordinal), runs.Select(r => r.RunId).Order(StringComparer.Ordinal));
        Assert.All(runs, r => Assert.Equal(RunState.Completed, r.State));
        Assert.All(runs, r => Assert.Equal(cycles.Single(c => c.RunId == r.RunId).CycleTime, r.Spec.InitTime));

        // Start latency: due (the cycle time) → run submitted.
        var latencies = cycles.Select(c => (c.SubmittedUtc!.Value - c.CycleTime).TotalSeconds).Order().ToArray();
        foreach (var c in cycles)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.CycleTime:HH:mm} {c.RunId}: submitted +{(c.SubmittedUtc!.Value - c.CycleTime).TotalSeconds:F2} s, completed +{(c.CompletedUtc!.Value - c.CycleTime).TotalSeconds:F1} s{(c.CycleTime > killedAt && c.CycleTime - killedAt < TimeSpan.FromMinutes(1) ? " (first due after the kill)" : "")}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"start latency (due → submitted) over {latencies.Length} cycles: p50 {Percentile(latencies, 0.50):F2} s, p95 {Percentile(latencies, 0.95):F2} s, min {latencies[0]:F2} s, max {latencies[^1]:F2} s"));

        foreach (var c in cycles)
        {
            await AssertEqualsRunByHandAsync(connection.Storage, c.RunId, c.CycleTime);
        }
    }

    private async Task<(int Code, string Out)> CliAsync(string[] args)
    {
        var text = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync(args, text, error, CancellationToken.None);
        Assert.True(code == 0, $"graphcast {string.Join(' ', args)}: {text}{error}");
        return (code, text.ToString());
    }

    /// <summary>Reads the cycle records (<c>schedule history --json</c>, from the cluster's storage) until <paramref name="until"/> holds.</summary>
    private async Task<IReadOnlyList<CycleRecord>> WaitForCyclesAsync(Func<IReadOnlyList<CycleRecord>, bool> until, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(8);
        IReadOnlyList<CycleRecord> cycles = [];
        while (DateTime.UtcNow < deadline)
        {
            var (_, json) = await CliAsync(["schedule", "history", Name, "--cluster", "--cluster-dir", fixture.Directory, "--json"]);
            cycles = Parse(json);
            if (until(cycles))
            {
                return cycles;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        throw new TimeoutException($"Timed out after 8 min waiting for {what}; cycles: {string.Join(", ", cycles.Select(c => $"{c.CycleTime:HH:mm} {c.State}"))}.");
    }

    private static List<CycleRecord> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return
        [
            .. document.RootElement.EnumerateArray().Select(e => new CycleRecord
            {
                Schedule = Name,
                CycleTime = e.GetProperty("cycle_time").GetDateTime().ToUniversalTime(),
                RunId = e.GetProperty("run_id").GetString()!,
                State = Enum.Parse<CycleState>(e.GetProperty("state").GetString()!),
                Origin = Enum.Parse<CycleOrigin>(e.GetProperty("origin").GetString()!),
                SubmittedUtc = e.GetProperty("submitted_utc").ValueKind == JsonValueKind.Null ? null : e.GetProperty("submitted_utc").GetDateTime().ToUniversalTime(),
                CompletedUtc = e.GetProperty("completed_utc").ValueKind == JsonValueKind.Null ? null : e.GetProperty("completed_utc").GetDateTime().ToUniversalTime(),
                Reason = e.GetProperty("reason").GetString(),
            }),
        ];
    }

    private static double Percentile(double[] sorted, double p)
    {
        // Linear interpolation between closest ranks (numpy's default).
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>
    /// The cycle's spec run by hand (<c>graphcast forecast</c> on an embedded silo, init time = the cycle time), then every
    /// data chunk and the init-time coordinate of the cluster's run equal byte for byte, none missing or extra.
    /// </summary>
    private async Task AssertEqualsRunByHandAsync(IBlobStore cluster, string runId, DateTime cycleTime)
    {
        var reference = System.IO.Directory.CreateTempSubdirectory("gc-schedule-reference-").FullName;
        try
        {
            var text = new StringWriter();
            var code = await CommandLine.RunAsync(
                ["forecast", "--preset", "tiny", "--members", Members.ToString(CultureInfo.InvariantCulture), "--steps", Steps.ToString(CultureInfo.InvariantCulture),
                 "--seed", "11", "--perturb", "gaussian:0.1", "--init-time", cycleTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture),
                 "--output", reference, "--run-id", runId],
                text, text, CancellationToken.None);
            Assert.True(code == 0, text.ToString());
            var local = new LocalDirectoryBlobStore(reference);
            var prefix = RunLayout.ForecastStore(runId) + "/";
            var expected = (await local.ListAsync(prefix)).Where(IsCompared).Select(b => b.Name).Order(StringComparer.Ordinal).ToList();
            var actual = (await cluster.ListAsync(prefix)).Where(IsCompared).Select(b => b.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
            Assert.True(expected.Count > Members * Steps * 10, $"{expected.Count} chunks");
            foreach (var name in expected)
            {
                var a = (await cluster.ReadAsync(name)).Data;
                var b = (await local.ReadAsync(name)).Data;
                Assert.True(a.AsSpan().SequenceEqual(b), $"{name} differs from the run by hand");
            }

            output.WriteLine($"{runId}: {expected.Count} chunks equal the run by hand.");
        }
        finally
        {
            System.IO.Directory.Delete(reference, recursive: true);
        }
    }

    /// <summary>A data chunk of an output variable (<c>temperature/0.1.0.0.0</c>), or the init-time coordinate <c>time/0</c>.</summary>
    private static bool IsCompared(BlobEntry blob)
    {
        var parts = blob.Name.Split('/');
        var leaf = parts[^1];
        var array = parts[^2];
        return leaf.Length > 0 && char.IsDigit(leaf[0]) && (array == "time" || array is not ("member" or "lead_time" or "level" or "lat" or "lon" or "valid_time"));
    }
}
