using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Engine;
using GraphCast.Orleans.Grains.Statistics;
using GraphCast.Orleans.Grains.Storage;

namespace GraphCast.Orleans.Grains.Tests.Engine;

/// <summary>Online ensemble statistics: equal to the offline ones from the finished forecast, counted once, rebuilt from the store, and accounting for a failed member.</summary>
/// <remarks>
/// Online and offline statistics both accumulate in float64 and are rounded once to float32, but in different orders
/// (members arrive in any order; the offline check sums in member order, two-pass), so they may differ by float64 rounding
/// (relative ~1e-15) before that rounding: they agree to within one float32 ulp, which is what is asserted.
/// </remarks>
[Collection(nameof(EngineCollection))]
public sealed class EnsembleStatisticsTests
{
    [Fact]
    public async Task Online_mean_and_spread_equal_the_offline_ones_and_a_rebuild_counts_each_member_once()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 2);
        var spec = ForecastRunTests.Spec("stats-four", members: 4, steps: 3);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        var forecast = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId);
        var stats = await WaitForCountsAsync(engine, spec.RunId, forecast.Layout, [4, 4, 4]);

        var members = new[] { 0, 1, 2, 3 };
        for (var step = 1; step <= spec.Steps; step++)
        {
            Assert.Equal(members, await engine.Grains.GetGrain<IEnsembleStatisticsGrain>(IEnsembleStatisticsGrain.Key(spec.RunId, step)).GetMembersAsync());
            await AssertEqualsOfflineAsync(forecast, stats, step, members);
        }

        // A rebuild from the store alone (what a re-activated grain does) gives the same statistics, and a member offered
        // again — a resumed member re-announcing a step — is not counted twice.
        var rebuilt = new StepStatistics(forecast, step: 2);
        Assert.Equal(4, await rebuilt.ReconcileAsync());
        Assert.False(await rebuilt.AddMemberAsync(1));
        Assert.Equal(0, await rebuilt.ReconcileAsync());
        Assert.Equal(members, rebuilt.Members);
        foreach (var (name, (mean, spread)) in rebuilt.Results())
        {
            AssertWithinOneUlp(await stats.ReadAsync(name, EnsembleStatistic.Mean, 1), mean, $"{name} mean, rebuilt");
            AssertWithinOneUlp(await stats.ReadAsync(name, EnsembleStatistic.Spread, 1), spread, $"{name} spread, rebuilt");
        }
    }

    [Fact]
    public async Task A_member_that_fails_at_step_2_is_left_out_of_steps_2_and_3_and_the_count_says_so()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("stats-failed", members: 4, steps: 3);
        // Member 2's first chunk of step 2 already holds other bytes: its create-only write conflicts and the member fails
        // before writing any other chunk of that step.
        var (_, task) = engine.RegistryOf(engine.Cluster.Primary!).Describe(spec.Model);
        var first = MemberRollout.OutputVariables(spec, task)[0];
        var chunk = RunLayout.ForecastStore(spec.RunId) + "/" + ZarrForecastWriter.ChunkKey(
            new ForecastVariable(first, GraphCast.Model.Configuration.TaskConfig.HasLevels(first), "", ""), member: 2, step: 1);
        using (var garbage = new MemoryStream([1, 2, 3, 4]))
        {
            Assert.True(await engine.Blobs.TryCreateAsync(chunk, garbage));
        }

        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Failed, status.State);
        Assert.Equal(MemberState.Failed, status.Members[2].State);

        var forecast = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId);
        var stats = await WaitForCountsAsync(engine, spec.RunId, forecast.Layout, [4, 3, 3]);
        await AssertEqualsOfflineAsync(forecast, stats, 1, [0, 1, 2, 3]);
        await AssertEqualsOfflineAsync(forecast, stats, 2, [0, 1, 3]);
        await AssertEqualsOfflineAsync(forecast, stats, 3, [0, 1, 3]);
    }

    [Fact]
    public async Task Killing_a_silo_mid_run_neither_loses_nor_double_counts_a_member()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 3);
        var spec = ForecastRunTests.Spec("stats-silo-loss", members: 6, steps: 6);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        // Statistics grains of the early steps are active by now, spread over the silos; members run on all three.
        var running = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2), s => s.IsFinished || s.Members.All(m => m.Step >= 2));
        Assert.False(running.IsFinished, "the run finished before a silo could be killed");
        await engine.Cluster.KillSiloAsync(engine.Cluster.SecondarySilos[0]);

        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(3))).State);
        var forecast = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId);
        var stats = await WaitForCountsAsync(engine, spec.RunId, forecast.Layout, [6, 6, 6, 6, 6, 6]);
        for (var step = 1; step <= spec.Steps; step++)
        {
            await AssertEqualsOfflineAsync(forecast, stats, step, [0, 1, 2, 3, 4, 5]);
        }
    }

    /// <summary>Waits until stats.zarr records <paramref name="counts"/> members per step (members announce one-way).</summary>
    private static async Task<ZarrStatisticsStore> WaitForCountsAsync(EngineCluster engine, string runId, ForecastStoreLayout layout, int[] counts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int[] seen = [];
        while (true)
        {
            var stats = await ZarrStatisticsStore.OpenForRunAsync(engine.Blobs, runId, layout);
            if (stats is not null)
            {
                seen = await Task.WhenAll(Enumerable.Range(0, counts.Length).Select(s => stats.ReadMemberCountAsync(s)));
                if (seen.SequenceEqual(counts))
                {
                    return stats;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"stats.zarr of {runId} did not reach member counts [{string.Join(", ", counts)}] in 30 s; last [{string.Join(", ", seen)}].");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Mean and spread (ddof = 1) of <paramref name="members"/> computed straightforwardly (two-pass, float64, member order) from the forecast.</summary>
    private static async Task AssertEqualsOfflineAsync(ZarrForecastReader forecast, ZarrStatisticsStore stats, int step, int[] members)
    {
        foreach (var variable in forecast.Layout.Variables)
        {
            var fields = new List<float[]>();
            foreach (var m in members)
            {
                fields.Add(await forecast.ReadChunkAsync(variable.Name, m, step - 1));
            }

            var length = fields[0].Length;
            var mean = new float[length];
            var spread = new float[length];
            for (var i = 0; i < length; i++)
            {
                var sum = 0.0;
                foreach (var f in fields)
                {
                    sum += f[i];
                }

                var mu = sum / fields.Count;
                var squares = 0.0;
                foreach (var f in fields)
                {
                    squares += (f[i] - mu) * (f[i] - mu);
                }

                mean[i] = (float)mu;
                spread[i] = (float)Math.Sqrt(squares / (fields.Count - 1));
            }

            Assert.Contains(spread, s => s > 0);
            AssertWithinOneUlp(mean, await stats.ReadAsync(variable.Name, EnsembleStatistic.Mean, step - 1), $"{variable.Name} mean, step {step}");
            AssertWithinOneUlp(spread, await stats.ReadAsync(variable.Name, EnsembleStatistic.Spread, step - 1), $"{variable.Name} spread, step {step}");
        }
    }

    private static void AssertWithinOneUlp(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(expected[i]) - BitConverter.SingleToInt32Bits(actual[i]));
            Assert.True(float.IsFinite(actual[i]) && ulps <= 1, $"{what} [{i}]: offline {expected[i]:R}, online {actual[i]:R}");
        }
    }
}
