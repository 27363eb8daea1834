using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Grains.Tests.Placement;

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
