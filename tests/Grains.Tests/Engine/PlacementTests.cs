using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Grains.Tests.Engine;

/// <summary>Members go only to silos that advertise compute, spread by active members per device.</summary>
[Collection(nameof(EngineCollection))]
public sealed class PlacementTests
{
    [Fact]
    public async Task A_silo_without_compute_gets_no_members()
    {
        await using var engine = await EngineCluster.StartAsync(2, ["Primary"]);
        var spec = ForecastRunTests.Spec("placement-roles", members: 6, steps: 2);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, status.State);
        var compute = engine.Cluster.SecondarySilos.Single().SiloAddress.ToString();
        Assert.All(status.Members, m => Assert.Equal(compute, m.Silo));
    }

    [Fact]
    public async Task Members_spread_over_the_compute_silos()
    {
        await using var engine = await EngineCluster.StartAsync(3, ["Primary"]);
        var spec = ForecastRunTests.Spec("placement-spread", members: 6, steps: 2);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, status.State);
        var perSilo = status.Members.GroupBy(m => m.Silo).ToDictionary(g => g.Key!, g => g.Count());
        var computeSilos = engine.Cluster.SecondarySilos.Select(s => s.SiloAddress.ToString()).ToHashSet();
        Assert.Equal(computeSilos, perSilo.Keys.ToHashSet());
        // Six members placed in one burst on two equal silos: three each.
        Assert.All(perSilo.Values, n => Assert.Equal(3, n));
    }
}

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
        var manifests = new GraphCast.Orleans.Grains.Engine.RunManifestStore(engine.Blobs);
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
