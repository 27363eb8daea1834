using System.Diagnostics;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Runs;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>Runs survive the loss of a silo and a corrupt checkpoint, and still equal the uninterrupted computation.</summary>
[Collection(nameof(EngineCollection))]
public sealed class RecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_silo_that_hosts_running_members_loses_nothing()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 3);
        var spec = ForecastRunTests.Spec("silo-loss", members: 8, steps: 20);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);

        // Wait until a member on a secondary silo is running with at least two committed steps, then kill that silo.
        var secondaries = engine.Cluster.SecondarySilos.ToDictionary(s => s.SiloAddress.ToString());
        var running = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2), s =>
            s.IsFinished || s.Members.Any(m => m.State == MemberState.Running && m.Step >= 2 && m.Step < spec.Steps - 2 && m.Silo is not null && secondaries.ContainsKey(m.Silo)));
        Assert.False(running.IsFinished, "the run finished before a member on a secondary silo could be caught mid-run");
        var victim = running.Members.First(m => m.State == MemberState.Running && m.Silo is not null && secondaries.ContainsKey(m.Silo)).Silo!;
        var affected = running.Members.Where(m => m.Silo == victim && m.State == MemberState.Running).ToDictionary(m => m.Member, m => m.Step);
        var killed = Stopwatch.StartNew();
        await engine.Cluster.KillSiloAsync(secondaries[victim]);

        // No client action from here on: the supervisor and the run grain bring the members back.
        await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(3), s => affected.All(a => s.Members[a.Key].Silo != victim && s.Members[a.Key].Step > a.Value));
        var recovery = killed.Elapsed;
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(3));
        output.WriteLine($"Killed {victim} hosting members {string.Join(", ", affected.Keys)}; their next committed step came {recovery.TotalSeconds:F1} s later.");
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}; members: {string.Join("; ", status.Members.Select(m => $"{m.Member} {m.State} step {m.Step} {m.Error}"))}");

        // Every (member, step, variable) chunk exists exactly once and equals the uninterrupted computation.
        var chunks = await engine.Blobs.ListAsync(RunLayout.ForecastStore(spec.RunId) + "/");
        var dataChunks = chunks.Count(c => char.IsDigit(c.Name[c.Name.LastIndexOf('/') + 1]) && !c.Name.Contains("/member/", StringComparison.Ordinal)
            && !c.Name.Contains("/lead_time/", StringComparison.Ordinal) && !c.Name.Contains("/level/", StringComparison.Ordinal)
            && !c.Name.Contains("/lat/", StringComparison.Ordinal) && !c.Name.Contains("/lon/", StringComparison.Ordinal) && !c.Name.Contains("/time/", StringComparison.Ordinal));
        Assert.Equal(8 * spec.Steps * 11, dataChunks);
        for (var m = 0; m < spec.Members; m++)
        {
            await ForecastRunTests.AssertMemberEqualsBareAsync(engine, spec, m);
        }
    }

    [Fact]
    public async Task A_corrupt_latest_checkpoint_falls_back_to_the_previous_one()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("corrupt", members: 1, steps: 8);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2), s => s.Members[0].Step >= 3);
        await run.CancelAsync();
        // The member reports Cancelled when its loop has ended: no step is in flight after that.
        await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(1), s => s.State == RunState.Cancelled && s.Members[0].State == MemberState.Cancelled);

        var checkpoints = new RolloutCheckpointStore(engine.Blobs);
        var steps = await checkpoints.ListStepsAsync(spec.RunId, 0);
        var latest = steps.Max();
        Assert.True(latest < spec.Steps, "the run completed before it could be cancelled");
        var path = Path.Combine(engine.Directory, RunLayout.Checkpoint(spec.RunId, 0, latest));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.Delete(path);
        await File.WriteAllBytesAsync(path, bytes);

        await run.ResumeAsync();
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(steps.Where(s => s < latest).DefaultIfEmpty(0).Max(), status.Members[0].ResumedFrom);
        await ForecastRunTests.AssertMemberEqualsBareAsync(engine, spec, 0);
    }

    [Fact]
    public async Task A_checkpoint_of_another_model_stops_the_member_with_both_hashes_named()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("other-model", members: 1, steps: 3, perturb: "none");
        // A checkpoint that another model wrote for this run's member 0 at step 2.
        var checkpoints = new RolloutCheckpointStore(engine.Blobs);
        var tensors = new Dictionary<string, GraphCast.Formats.Npy.NpyArray> { ["frame_0"] = GraphCast.Formats.Npy.NpyArray.FromFloats([1f], [1]) };
        await checkpoints.WriteAsync(spec.RunId, 0, new RolloutCheckpointMetadata(2, SpecHash.Of(spec), "feedface", "cpu", "float32"), tensors);

        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Failed, status.State);
        Assert.Contains("model hash feedface", status.Error, StringComparison.Ordinal);
        Assert.Contains("start a new run id", status.Error, StringComparison.Ordinal);
        // Nothing was computed from it: no step of the member was written.
        Assert.Equal(0, status.Members[0].Step);
    }
}
