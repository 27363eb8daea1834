using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// What a cluster client does when the cluster changes under it, on a real local cluster (Azurite, silo-1 and silo-2 with
/// compute, silo-3 without): a <c>graphcast forecast --cluster</c> process whose gateway silo is killed keeps following
/// its run through another gateway and ends with it; <c>graphcast watch --cluster</c> of a run that no silo hosts (every
/// compute silo gone) says so in one line and exits 1 instead of printing the same progress forever.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class ClientGatewaySystemTests(LocalClusterFixture fixture, ITestOutputHelper output) : IClassFixture<LocalClusterFixture>
{
    private const int Members = 4;
    private const int Steps = 80;

    [Fact]
    public async Task A_forecast_client_whose_gateway_silo_is_killed_follows_its_run_through_another_gateway_to_the_end()
    {
        await fixture.RestoreAsync();
        var runId = "gateway-dies";
        var silo1 = fixture.Cluster.Profile.Silos.Single(s => s.Name == "silo-1");
        // silo-2 and silo-3 leave (SIGTERM: the membership drops them at once), so that the client starts with silo-1 as its
        // only gateway; they come back once the run is under way, and then silo-1 (the client's gateway) is killed.
        await Task.WhenAll(fixture.Cluster.Profile.Silos.Where(s => s.Name != "silo-1").Select(s => DetachedProcess.StopAsync(s.Pid, TimeSpan.FromSeconds(30))));
        await WaitForActiveSilosAsync(1);

        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "graphcast")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = fixture.Directory };
        foreach (var argument in new[] { "forecast", "--cluster", "--cluster-dir", fixture.Directory, "--preset", "tiny", "--members", Members.ToString(CultureInfo.InvariantCulture),
                     "--steps", Steps.ToString(CultureInfo.InvariantCulture), "--seed", "11", "--perturb", "gaussian:0.1", "--run-id", runId })
        {
            start.ArgumentList.Add(argument);
        }

        using var client = Process.Start(start)!;
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        try
        {
            await using var observer = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
            var run = observer.Grains.GetGrain<IForecastRunGrain>(runId);
            try
            {
                await ClusterRuns.WaitAsync(run, s => s.Members.Any(m => m.Step >= 2), allowMissing: true);
            }
            catch (TimeoutException e)
            {
                // What the client said decides what went wrong: keep it in the failure.
                if (!client.HasExited)
                {
                    client.Kill();
                }

                await client.WaitForExitAsync();
                throw new TimeoutException($"{e.Message} The forecast client {(client.ExitCode == -1 ? "was killed" : $"exited {client.ExitCode}")}; stdout: {await stdout}; stderr: {await stderr}", e);
            }

            // The client's gateway connections, read from the kernel: sockets of the client process connected to a port a silo
            // process listens on. At the client's start silo-1 was the only gateway.
            var gateways = GatewaysOf(client.Id);
            output.WriteLine($"client {client.Id} is connected to the gateways of: {string.Join(", ", gateways)}");
            Assert.Equal(["silo-1"], gateways);

            await fixture.RestoreAsync();
            var before = await ClusterRuns.WaitAsync(run, _ => true);
            Assert.False(before.IsFinished, "the run ended before the gateway could be killed: make it longer");
            var clock = Stopwatch.StartNew();
            fixture.Cluster.KillSilo("silo-1");
            output.WriteLine($"kill -9 silo-1 (pid {silo1.Pid}, the client's gateway) at {before.Members.Sum(m => m.Step)}/{Members * Steps} member steps");

            using (var hang = new CancellationTokenSource(TimeSpan.FromMinutes(6)))
            {
                await client.WaitForExitAsync(hang.Token);
            }

            output.WriteLine($"the client exited {clock.Elapsed.TotalSeconds:F1} s after the kill with {client.ExitCode}");
            var text = await stdout;
            var errors = await stderr;
            output.WriteLine(string.Join('\n', text.Split('\n').TakeLast(10)));
            Assert.True(client.ExitCode == 0, $"exit {client.ExitCode}: {errors}\n{text}");
            Assert.Contains($"Run {runId}: Completed", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text + errors, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text + errors, StringComparison.Ordinal);
            await ClusterRuns.AssertEqualsSingleSiloRunAsync(observer.Storage, runId, Members, Steps, output);
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill();
            }

            await fixture.RestoreAsync();
        }
    }

    [Fact]
    public async Task Watch_of_a_run_that_no_silo_hosts_says_so_in_one_line_and_exits_1()
    {
        await fixture.RestoreAsync();
        var runId = "nobody-hosts";
        await using var client = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        await run.SubmitAsync(ClusterRuns.Spec(runId, members: 2, steps: 500));
        try
        {
            await ClusterRuns.WaitAsync(run, s => s.Members.All(m => m.State == MemberState.Running && m.Step >= 1));
            // Every compute silo leaves (a scale-in to zero): silo-3, without compute, keeps the run grain but cannot host a member.
            await Task.WhenAll(fixture.Cluster.Profile.Silos.Where(s => s.Compute).Select(s => DetachedProcess.StopAsync(s.Pid, TimeSpan.FromSeconds(30))));
            var stopped = (await ClusterRuns.WaitAsync(run, _ => true)).Members.Sum(m => m.Step);

            var text = new StringWriter();
            var errors = new StringWriter();
            var clock = Stopwatch.StartNew();
            using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var code = await CommandLine.RunAsync(["watch", runId, "--cluster", "--cluster-dir", fixture.Directory, "--stalled-after", "15s"], text, errors, hang.Token);
            output.WriteLine($"watch ended after {clock.Elapsed.TotalSeconds:F1} s with {code}: {errors}");
            Assert.True(code == 1, $"exit {code}: {errors}\n{text}");
            var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith($"graphcast: run {runId} has made no progress for ", line, StringComparison.Ordinal);
            Assert.Contains($"({stopped}/1000 member steps) and no active silo hosts its members (the cluster has 1 active silo, none running them", line, StringComparison.Ordinal);
            Assert.EndsWith($"then follow it again with 'graphcast watch {runId} --cluster'.", line, StringComparison.Ordinal);
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(15), $"reported after {clock.Elapsed.TotalSeconds:F1} s, before --stalled-after");
            // The run itself is left as it was: still running, members waiting for compute.
            Assert.Equal(RunState.Running, (await ClusterRuns.WaitAsync(run, _ => true)).State);
        }
        finally
        {
            await fixture.RestoreAsync();
            await ClusterRuns.WaitAsync(run, _ => true);
            await run.CancelAsync();
        }
    }

    private async Task WaitForActiveSilosAsync(int count)
    {
        await using var observer = await ClusterConnection.ConnectAsync(fixture.Directory, CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                if (await observer.ActiveSilosAsync().WaitAsync(TimeSpan.FromSeconds(2)) == count)
                {
                    return;
                }
            }
            catch (Exception e) when (GraphCast.Orleans.Storage.Faults.TransientFaults.IsTransient(e))
            {
                // A gateway that just left.
            }

            Assert.True(DateTime.UtcNow < deadline, $"the cluster did not come down to {count} active silo(s) within a minute");
            await Task.Delay(250);
        }
    }

    /// <summary>The names of the silo processes that process <paramref name="pid"/> has an established TCP connection to.</summary>
    private List<string> GatewaysOf(int pid)
    {
        var remote = TcpPorts(pid, established: true);
        return fixture.Cluster.Profile.Silos
            .Where(s => DetachedProcess.IsAlive(s.Pid) && TcpPorts(s.Pid, established: false).Overlaps(remote))
            .Select(s => s.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// From /proc: the remote ports of process <paramref name="pid"/>'s established TCP connections, or the ports it listens
    /// on (sockets are matched to the process by inode through its /proc/PID/fd links).
    /// </summary>
    private static HashSet<int> TcpPorts(int pid, bool established)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
            catch (IOException)
            {
                // A descriptor closed while listing.
            }
        }

        var ports = new HashSet<int>();
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (var row in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var f = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (!inodes.Contains(f[9]) || f[3] != (established ? "01" : "0A"))
                {
                    continue;
                }

                var address = established ? f[2] : f[1];
                ports.Add(int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return ports;
    }
}
