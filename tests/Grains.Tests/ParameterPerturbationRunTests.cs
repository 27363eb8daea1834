using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>
/// Members with perturbed parameters: each equals a bare rollout with the same recipe, the control keeps the shared
/// parameters, the others differ from a run without the recipe, and a pattern that matches nothing is refused at submit.
/// </summary>
[Collection(nameof(EngineCollection))]
public sealed class ParameterPerturbationRunTests
{
    [Fact]
    public async Task Perturbed_parameter_members_equal_bare_rollouts_and_differ_from_shared_parameters()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 2);
        var plain = ForecastRunTests.Spec("shared-params", members: 3, steps: 2);
        var perturbed = ForecastRunTests.Spec("own-params", members: 3, steps: 2) with { ParamPerturbation = "gaussian:0.05:^mesh_gnn/" };
        foreach (var spec in new[] { plain, perturbed })
        {
            var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
            await run.SubmitAsync(spec);
            Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        }

        for (var m = 0; m < 3; m++)
        {
            await ForecastRunTests.AssertMemberEqualsBareAsync(engine, perturbed, m);
            var a = await ForecastRunTests.ChunkAsync(engine.Blobs, plain.RunId, "2m_temperature", m, 2, 684);
            var b = await ForecastRunTests.ChunkAsync(engine.Blobs, perturbed.RunId, "2m_temperature", m, 2, 684);
            // Member 0 is the control: the model's own parameters (and initial condition).
            Assert.Equal(m == 0, a!.AsSpan().SequenceEqual(b));
        }

        var none = ForecastRunTests.Spec("no-such-params", members: 2, steps: 1) with { ParamPerturbation = "gaussian:0.05:^no_such_module/" };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>(none.RunId).SubmitAsync(none));
        Assert.StartsWith("Parameter perturbation 'gaussian:0.05:^no_such_module/' matches no parameter of the model; its paths look like '", e.Message, StringComparison.Ordinal);
        Assert.False(await engine.Blobs.ExistsAsync(GraphCast.Orleans.Storage.Runs.RunLayout.Manifest(none.RunId)));
    }
}
