using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Grains.Tests.Placement;

/// <summary>A run on a cluster without any compute silo waits, says what to start, and runs once a compute silo joins.</summary>
[Collection(nameof(EngineCollection))]
public sealed class NoComputeTests
{
    [Fact]
    public async Task A_run_on_a_cluster_without_compute_waits_says_what_to_start_and_runs_when_compute_joins()
    {
        await using var engine = await EngineCluster.StartAsync(1, ["Primary"]);
        var spec = ForecastRunTests.Spec("no-compute", members: 2, steps: 2);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        var submitted = await run.SubmitAsync(spec);
        Assert.Equal(RunState.Running, submitted.State);
        Assert.All(submitted.Members, m => Assert.Equal(MemberState.Pending, m.State));
        Assert.NotNull(submitted.Waiting);
        Assert.Contains("No silo in the cluster offers compute", submitted.Waiting, StringComparison.Ordinal);
        Assert.Contains("Start a compute silo", submitted.Waiting, StringComparison.Ordinal);

        // The manifest says so too (what `graphcast status --output DIR` reads from storage), once the flush timer wrote it.
        var manifests = new GraphCast.Orleans.Storage.Runs.RunManifestStore(engine.Blobs);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        RunStatus? stored;
        while ((stored = (await manifests.ReadAsync(spec.RunId)).Status)?.Waiting is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(submitted.Waiting, stored?.Waiting);

        var compute = await engine.Cluster.StartAdditionalSiloAsync();
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, status.State);
        Assert.Null(status.Waiting);
        Assert.All(status.Members, m => Assert.Equal(compute.SiloAddress.ToString(), m.Silo));
    }
}
