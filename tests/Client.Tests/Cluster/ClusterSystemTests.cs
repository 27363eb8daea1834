using GraphCast.Orleans.Storage.Forecasts;
using System.Diagnostics;
using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Storage.Blobs;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// Faults on a real cluster of separate processes (Azurite, two compute silos and one without, clients): a silo killed
/// with SIGKILL, storage down for ten seconds, a client that dies. Each run must complete with a forecast bit-identical to
/// the same spec computed on a single embedded silo, every (member, step, variable) chunk present exactly once.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class ClusterSystemTests(LocalClusterFixture fixture, ITestOutputHelper output) : IClassFixture<LocalClusterFixture>
{
    private const int Members = 4;
    private const int Steps = 12;

    [Fact]
    public async Task Killing_the_silo_process_hosting_running_members_loses_nothing()
    {
        await fixture.RestoreAsync();
        var runId = "kill-silo";
        await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        await run.SubmitAsync(Spec(runId));

        var running = await WaitAsync(run, s => s.Members.Any(m => m.State == MemberState.Running && m.Step >= 2 && m.Step < Steps - 3 && m.Silo is not null));
        var victim = running.Members.First(m => m.State == MemberState.Running && m.Step >= 2 && m.Silo is not null).Silo!;
        var name = fixture.Cluster.NameOf(victim) ?? throw new InvalidOperationException($"No silo process has address {victim}.");
        var affected = running.Members.Where(m => m.Silo == victim).ToDictionary(m => m.Member, m => m.Step);
        var clock = Stopwatch.StartNew();
        fixture.Cluster.KillSilo(name);

        await WaitAsync(run, s => affected.All(a => s.Members[a.Key].Silo != victim && s.Members[a.Key].Step > a.Value));
        var recovery = clock.Elapsed;
        var status = await WaitAsync(run, s => s.IsFinished);
        output.WriteLine($"kill -9 {name} ({victim}) hosting members {string.Join(", ", affected.Keys)} at steps {string.Join(", ", affected.Values)}: their next committed step came {recovery.TotalSeconds:F1} s later.");
        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        Assert.All(affected.Keys, m => Assert.NotEqual(victim, status.Members[m].Silo));
        await AssertEqualsSingleSiloRunAsync(client.Storage, runId);
    }

    [Fact]
    public async Task Storage_down_for_ten_seconds_mid_run_loses_nothing()
    {
        await fixture.RestoreAsync();
        var runId = "storage-down";
        await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        await run.SubmitAsync(Spec(runId));
        await WaitAsync(run, s => s.Members.Any(m => m.Step >= 2));

        await fixture.Cluster.StopAzuriteAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        await fixture.Cluster.StartAzuriteAsync(null, CancellationToken.None);

        var status = await WaitAsync(run, s => s.IsFinished);
        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        await AssertEqualsSingleSiloRunAsync(client.Storage, runId);
    }

    [Fact]
    public async Task A_client_that_dies_mid_run_loses_nothing_and_a_new_client_watches_it_to_the_end()
    {
        await fixture.RestoreAsync();
        var runId = "client-dies";
        // A real client process: `graphcast forecast --cluster`, killed once the run is under way.
        var log = Path.Combine(fixture.Directory, "client.log");
        var pid = DetachedProcess.Start(Path.Combine(AppContext.BaseDirectory, "graphcast"),
            ["forecast", "--cluster", "--cluster-dir", fixture.Directory, "--preset", "tiny", "--members", Members.ToString(), "--steps", Steps.ToString(),
             "--seed", "11", "--perturb", "gaussian:0.1", "--run-id", runId], log, fixture.Directory);
        await using (var observer = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None))
        {
            await WaitAsync(observer.Grains.GetGrain<IForecastRunGrain>(runId), s => s.Members.Any(m => m.Step >= 2), allowMissing: true);
        }

        DetachedProcess.KillNow(pid);
        var text = new StringWriter();
        var code = await CommandLine.RunAsync(["watch", runId, "--cluster", "--cluster-dir", fixture.Directory], text, text, CancellationToken.None);
        Assert.True(code == 0, text.ToString() + File.ReadAllText(log));
        Assert.Contains($"Run {runId}: Completed", text.ToString(), StringComparison.Ordinal);
        await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        await AssertEqualsSingleSiloRunAsync(client.Storage, runId);
    }

    [Fact]
    public async Task Members_land_only_on_silos_with_compute()
    {
        await fixture.RestoreAsync();
        var runId = "placement";
        await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        await run.SubmitAsync(Spec(runId) with { Members = 6, Steps = 2 });
        var status = await WaitAsync(run, s => s.IsFinished);
        Assert.Equal(RunState.Completed, status.State);
        var compute = fixture.Cluster.Profile.Silos.Where(s => s.Compute).Select(s => fixture.Cluster.AddressOf(s.Name)).ToHashSet();
        Assert.Equal(2, compute.Count);
        Assert.All(status.Members, m => Assert.Contains(m.Silo, compute));
        // Spread by active members: both compute silos got members.
        Assert.Equal(compute, status.Members.Select(m => m.Silo).ToHashSet());

        // The results commands read the cluster's storage directly.
        var files = System.IO.Directory.CreateTempSubdirectory("gc-cluster-results-").FullName;
        try
        {
            var netcdf = Path.Combine(files, "placement.nc");
            var png = Path.Combine(files, "placement.png");
            var csv = Path.Combine(files, "placement.csv");
            var cluster = new[] { "--cluster", "--cluster-dir", fixture.Directory };
            await AssertCommandAsync(["export", runId, "--format", "netcdf", "--out", netcdf, .. cluster]);
            using (var exported = GraphCast.Formats.NetCdf.NetCdfDataset.Open(netcdf))
            {
                Assert.Equal(6, exported.Dimension("member").Length);
            }

            await AssertCommandAsync(["plot", runId, "--var", "2m_temperature", "--step", "2", "--spread", "--out", png, .. cluster]);
            Assert.True(new FileInfo(png).Length > 1000);
            await AssertCommandAsync(["verify", runId, "--truth", GraphCast.Testing.SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"), "--out", csv, .. cluster]);
            Assert.Contains("temperature", await File.ReadAllTextAsync(csv), StringComparison.Ordinal);
        }
        finally
        {
            System.IO.Directory.Delete(files, recursive: true);
        }
    }

    [Fact]
    public async Task A_run_without_compute_silos_waits_and_runs_on_a_silo_added_with_dead_silos_in_the_profile()
    {
        await fixture.RestoreAsync();
        var runId = "waits-for-compute";
        // Both compute silos shut down (scale-in; a SIGKILL of two of three silos would leave the survivor unable to tell
        // whether it is the one cut off, so Orleans would not declare them dead quickly).
        await Task.WhenAll(fixture.Cluster.Profile.Silos.Where(s => s.Compute).Select(s => DetachedProcess.StopAsync(s.Pid, TimeSpan.FromSeconds(30))));

        var clock = Stopwatch.StartNew();
        string? added = null;
        try
        {
            // Once the cluster has declared the killed silos dead, a new client's gateways are all alive.
            await using (var observer = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None))
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
                while (!await OnlyOneSiloAsync(observer))
                {
                    Assert.True(DateTime.UtcNow < deadline, "the cluster did not declare the killed silos dead within a minute");
                    await Task.Delay(250);
                }
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: compute silos stopped");
            await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
            var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
            // Accepted, not refused: the run records why its members wait (once the cluster has noticed the dead silos).
            var submitted = await run.SubmitAsync(Spec(runId) with { Members = 2, Steps = 2 });
            Assert.Equal(RunState.Running, submitted.State);
            var waiting = await WaitAsync(run, s => s.Waiting?.Contains("No silo in the cluster offers compute", StringComparison.Ordinal) == true);
            Assert.All(waiting.Members, m => Assert.Equal(MemberState.Pending, m.State));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: waiting: {waiting.Waiting}");

            var status = new StringWriter();
            Assert.Equal(0, await CommandLine.RunAsync(["status", runId, "--cluster", "--cluster-dir", fixture.Directory], status, status, CancellationToken.None));
            Assert.Contains("Waiting: members could not be started: No silo in the cluster offers compute", status.ToString(), StringComparison.Ordinal);

            // `cluster add-silo` with two dead silos in the profile: it waits for the new silo only.
            var text = new StringWriter();
            var code = await CommandLine.RunAsync(["cluster", "add-silo", "--cluster-dir", fixture.Directory], text, text, CancellationToken.None);
            var silos = LocalCluster.Open(fixture.Directory).Profile.Silos;
            added = silos.Count > 3 ? silos[^1].Name : null;
            Assert.True(code == 0, text.ToString());
            Assert.Contains($"Silo {added} joined.", text.ToString(), StringComparison.Ordinal);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {added} joined");

            var done = await WaitAsync(run, s => s.IsFinished);
            Assert.Equal(RunState.Completed, done.State);
            Assert.Null(done.Waiting);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: run completed");
            var addedAddress = LocalCluster.Open(fixture.Directory).AddressOf(added!);
            Assert.All(done.Members, m => Assert.Equal(addedAddress, m.Silo));
        }
        finally
        {
            // Back to the fixture's three silos: the added one shuts down (a graceful leave, so the cluster drops it at
            // once: a SIGKILLed silo stays in the membership until declared dead, and the next test's grains would be
            // placed on it and time out), it leaves the profile, and the stopped ones restart.
            var profile = LocalCluster.Open(fixture.Directory);
            if (profile.Profile.Silos.FirstOrDefault(s => s.Name == added) is { } extra)
            {
                await DetachedProcess.StopAsync(extra.Pid, TimeSpan.FromSeconds(30));
                profile.Profile.Silos.Remove(extra);
                profile.Save();
            }

            fixture.Reload();
            await fixture.RestoreAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: fixture restored");
        }
    }

    private static async Task<bool> OnlyOneSiloAsync(ClusterConnection client)
    {
        try
        {
            return await client.ActiveSilosAsync().WaitAsync(TimeSpan.FromSeconds(1)) == 1;
        }
        catch (Exception e) when (GraphCast.Orleans.Storage.Faults.TransientFaults.IsTransient(e))
        {
            return false;
        }
    }

    private static async Task AssertCommandAsync(string[] args)
    {
        var text = new StringWriter();
        var code = await CommandLine.RunAsync(args, text, text, CancellationToken.None);
        Assert.True(code == 0, $"graphcast {string.Join(' ', args)}: exit {code}: {text}");
    }

    [Fact]
    public async Task Each_silo_serves_healthz_and_readyz_on_its_own_port_shown_in_cluster_status()
    {
        await fixture.RestoreAsync();
        var text = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["cluster", "status", "--json", "--dir", fixture.Directory], text, text, CancellationToken.None));
        using var json = JsonDocument.Parse(text.ToString());
        var ports = json.RootElement.GetProperty("silos").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("health_port").GetInt32());
        Assert.Equal(["silo-1", "silo-2", "silo-3"], ports.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, ports.Values.Distinct().Count());
        Assert.All(ports.Values, p => Assert.True(p > 0));

        var plain = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["cluster", "status", "--dir", fixture.Directory], plain, plain, CancellationToken.None));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        foreach (var (name, port) in ports)
        {
            Assert.Contains($"health :{port}", plain.ToString().Split('\n').Single(l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal) && l.Contains(" pid ", StringComparison.Ordinal)), StringComparison.Ordinal);
            using var live = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
            Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
            // Ready: an active member, storage (Azurite) answering, and its device (none for silo-3) usable.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
                var body = await ready.Content.ReadAsStringAsync();
                if (ready.StatusCode == System.Net.HttpStatusCode.OK)
                {
                    output.WriteLine($"{name} :{port} /readyz: {body.ReplaceLineEndings(" | ")}");
                    Assert.Contains("cluster: Healthy", body, StringComparison.Ordinal);
                    Assert.Contains("storage: Healthy", body, StringComparison.Ordinal);
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{name} :{port} /readyz answered {(int)ready.StatusCode} for 30 s: {body}");
                await Task.Delay(500);
            }
        }
    }

    [Fact]
    public async Task Cluster_status_json_has_one_object_per_silo_with_its_process_endpoint_role_and_members()
    {
        await fixture.RestoreAsync();
        var runId = "status-json";
        await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        // Long enough that both members are still running while the status is read; cancelled at the end.
        await run.SubmitAsync(Spec(runId) with { Members = 2, Steps = 500 });
        try
        {
            await WaitAsync(run, s => s.Members.All(m => m.State == MemberState.Running && m.Silo is not null && m.Step >= 1));
            var text = new StringWriter();
            var error = new StringWriter();
            var code = await CommandLine.RunAsync(["cluster", "status", "--json", "--dir", fixture.Directory], text, error, CancellationToken.None);
            Assert.True(code == 0, error.ToString());
            var placed = (await run.GetStatusAsync())!.Members.ToDictionary(m => $"{runId}/{m.Member}", m => m.Silo);
            using var json = JsonDocument.Parse(text.ToString());
            var root = json.RootElement;
            Assert.Equal(JsonValueKind.Null, root.GetProperty("members_unknown").ValueKind);
            Assert.True(root.GetProperty("azurite").GetProperty("running").GetBoolean());
            // In the profile's order (a silo restarted by an earlier test comes last).
            var silos = root.GetProperty("silos").EnumerateArray().OrderBy(s => s.GetProperty("name").GetString(), StringComparer.Ordinal).ToList();
            Assert.Equal(["silo-1", "silo-2", "silo-3"], silos.Select(s => s.GetProperty("name").GetString()));
            Assert.Equal([true, true, false], silos.Select(s => s.GetProperty("compute").GetBoolean()));
            var hosted = new Dictionary<string, string?>();
            foreach (var silo in silos)
            {
                var name = silo.GetProperty("name").GetString()!;
                var state = fixture.Cluster.Profile.Silos.Single(s => s.Name == name);
                var address = fixture.Cluster.AddressOf(name)!;
                Assert.Equal(state.Pid, silo.GetProperty("pid").GetInt32());
                Assert.True(silo.GetProperty("running").GetBoolean());
                Assert.Equal(address, silo.GetProperty("address").GetString());
                Assert.Equal(address[1..address.LastIndexOf(':')], silo.GetProperty("endpoint").GetString());
                Assert.Matches(@"^127\.0\.0\.1:\d+$", silo.GetProperty("endpoint").GetString());
                foreach (var member in silo.GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Where(m => m.StartsWith(runId + "/", StringComparison.Ordinal)))
                {
                    hosted.Add(member, address);
                }
            }

            // Every member of the run, each on the silo the run says it runs on (none on the silo without compute).
            Assert.Equal(placed.OrderBy(p => p.Key, StringComparer.Ordinal), hosted.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        finally
        {
            await run.CancelAsync();
        }
    }

    [Fact]
    public async Task Silo_logs_never_show_the_storage_key()
    {
        await fixture.RestoreAsync();
        var text = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["cluster", "status", "--cluster-dir", fixture.Directory], text, text, CancellationToken.None));
        Assert.DoesNotContain(LocalCluster.AzuriteKey, text.ToString(), StringComparison.Ordinal);
        var logs = fixture.Cluster.Profile.Silos.Select(s => s.Log).ToList();
        Assert.Equal(3, logs.Count);
        foreach (var log in logs)
        {
            var content = await File.ReadAllTextAsync(log);
            Assert.Contains("GraphCast", content, StringComparison.Ordinal);
            Assert.DoesNotContain(LocalCluster.AzuriteKey, content, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey=", content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_client_without_a_cluster_profile_says_how_to_start_one()
    {
        var empty = System.IO.Directory.CreateTempSubdirectory("gc-nocluster-").FullName;
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await CommandLine.RunAsync(["forecast", "--cluster", "--cluster-dir", empty, "--preset", "tiny"], output, error, CancellationToken.None);
            Assert.Equal(1, code);
            Assert.Equal($"graphcast: No cluster profile at {Path.Combine(empty, "cluster.json")}. Start a local cluster with 'graphcast cluster up --silos 3' (it writes one there), or point --cluster-dir at the folder of your cluster's cluster.json.", error.ToString().Trim());
        }
        finally
        {
            System.IO.Directory.Delete(empty, recursive: true);
        }
    }

    private static ForecastSpec Spec(string runId) => ClusterRuns.Spec(runId, Members, Steps);

    private static Task<RunStatus> WaitAsync(IForecastRunGrain run, Func<RunStatus, bool> until, bool allowMissing = false) =>
        ClusterRuns.WaitAsync(run, until, allowMissing);

    private Task AssertEqualsSingleSiloRunAsync(IBlobStore cluster, string runId) =>
        ClusterRuns.AssertEqualsSingleSiloRunAsync(cluster, runId, Members, Steps, output);
}
