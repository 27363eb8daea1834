using System.Diagnostics;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// Graceful drain on a real local cluster: SIGTERM (what Kubernetes sends) to the silo hosting running members. Its
/// members commit the step in flight, checkpoint it (the run checkpoints only at its end, so nothing else would), and
/// resume on the other silo from exactly that step; the run completes bit-identical to an embedded run.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class DrainSystemTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Members = 2;
    private const int Steps = 12;

    private readonly string _directory = Directory.CreateTempSubdirectory("gc-drain-").FullName;
    private LocalCluster? _cluster;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        _cluster = await LocalCluster.UpAsync(_directory, silos: 2, withoutCompute: 0, TextWriter.Null, timeout.Token);
    }

    [Fact]
    public async Task Sigterm_drains_running_members_which_resume_elsewhere_from_the_step_they_reached()
    {
        var cluster = _cluster!;
        var runId = "drain";
        await using var client = await ClusterConnection.ConnectAsync(_directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        // Checkpoints only at the end: a member that left without draining would start again from step 0.
        await run.SubmitAsync(ClusterRuns.Spec(runId, Members, Steps) with { CheckpointEvery = Steps });
        var running = await ClusterRuns.WaitAsync(run, s => s.Members.Any(m => m.State == MemberState.Running && m.Step >= 2 && m.Step < Steps - 4 && m.Silo is not null));
        var victim = running.Members.First(m => m.State == MemberState.Running && m.Step >= 2 && m.Silo is not null).Silo!;
        var name = cluster.NameOf(victim) ?? throw new InvalidOperationException($"No silo process has address {victim}.");
        var reached = running.Members.Where(m => m.Silo == victim).ToDictionary(m => m.Member, m => m.Step);
        var pid = cluster.Profile.Silos.Single(s => s.Name == name).Pid;

        var clock = Stopwatch.StartNew();
        await DetachedProcess.StopAsync(pid, TimeSpan.FromSeconds(60));
        var exited = clock.Elapsed;
        var resumed = await ClusterRuns.WaitAsync(run, s => reached.All(r => s.Members[r.Key].Silo is { } at && at != victim && s.Members[r.Key].Step > r.Value + 1));
        var moved = clock.Elapsed;
        var status = await ClusterRuns.WaitAsync(run, s => s.IsFinished);
        var log = await File.ReadAllTextAsync(cluster.Profile.Silos.Single(s => s.Name == name).Log);
        output.WriteLine($"SIGTERM to {name} hosting members {string.Join(", ", reached.Select(r => $"{r.Key} at step {r.Value}"))}: exited after {exited.TotalSeconds:F1} s; resumed from steps {string.Join(", ", reached.Keys.Select(m => resumed.Members[m].ResumedFrom))} on {string.Join(", ", reached.Keys.Select(m => resumed.Members[m].Silo))}, stepping again {moved.TotalSeconds:F1} s after the signal.");
        // What the silos' logs say of the victim's members, for a failure to be read from the test's output alone.
        foreach (var silo in cluster.Profile.Silos)
        {
            var lines = (await File.ReadAllLinesAsync(silo.Log)).Where(l => reached.Keys.Any(m => l.Contains($"{runId}/{m}", StringComparison.Ordinal)));
            foreach (var line in lines)
            {
                output.WriteLine($"{silo.Name}: {line}");
            }
        }

        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        foreach (var (member, step) in reached)
        {
            // Drained: it resumed from the step its silo committed and checkpointed on the way out (at or after the step
            // seen before SIGTERM), never from the start.
            Assert.True(resumed.Members[member].ResumedFrom >= step, $"member {member} resumed from {resumed.Members[member].ResumedFrom}, before step {step}");
            Assert.Contains($"Member {runId}/{member} drained at step {resumed.Members[member].ResumedFrom}", log, StringComparison.Ordinal);
        }

        await ClusterRuns.AssertEqualsSingleSiloRunAsync(client.Storage, runId, Members, Steps, output);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_cluster is not null)
            {
                await _cluster.DownAsync(TextWriter.Null);
            }
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
