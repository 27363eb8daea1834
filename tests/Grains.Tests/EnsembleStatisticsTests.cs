using GraphCast.Orleans.Grains.Tests.EnsembleStatistics;
using GraphCast.Orleans.Storage.Tests.Blobs;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>
/// Online ensemble statistics: equal to the offline ones from the finished forecast, counted once, rebuilt from the store,
/// accounting for a failed member, written once per lead time when every member arrives within the interval, and partial
/// statistics written when the interval has passed.
/// </summary>
/// <remarks>
/// Online and offline statistics both accumulate in float64 and are rounded once to float32, but by different formulas
/// (a pass folds members with Welford's update; the offline check is two-pass), so they may differ by float64 rounding
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

        // A rebuild from the store alone (what a pass does) gives the same statistics bit for bit, since a pass folds the
        // members in ascending order; a member announced again (a resumed member re-announcing a step) is not counted twice.
        var rebuilt = new EnsembleStepStatistics(forecast, step: 2);
        Assert.Equal(members, await rebuilt.CompleteMembersAsync());
        foreach (var variable in forecast.Layout.Variables)
        {
            var (mean, spread) = await rebuilt.ComputeAsync(variable.Name, members);
            Assert.Equal(await stats.ReadAsync(variable.Name, EnsembleStatistic.Mean, 1), mean);
            Assert.Equal(await stats.ReadAsync(variable.Name, EnsembleStatistic.Spread, 1), spread);
        }

        var second = engine.Grains.GetGrain<IEnsembleStatisticsGrain>(IEnsembleStatisticsGrain.Key(spec.RunId, 2));
        await second.AddMemberAsync(1);
        Assert.Equal(members, await second.ReconcileAsync());
        Assert.Equal(4, await stats.ReadMemberCountAsync(1));
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
        // A pass after every new member: grains that die mid-run hold partial statistics, which their new activation must
        // recognise as stale and rewrite.
        await using var engine = await EngineCluster.StartAsync(silos: 3, settings: new() { ["Engine:StatisticsInterval"] = "00:00:00" });
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

    [Fact]
    public async Task Settling_waits_through_passes_longer_than_the_response_timeout()
    {
        // Every statistics write takes 0.5 s and the test client gives up on a call after 3 s (ample for everything else
        // the test calls): each lead time's pass (mean and spread of every variable, ~12 s) outlasts a call, and the passes
        // queue behind one gate.
        await using var engine = await EngineCluster.StartAsync(silos: 1, settings: new()
        {
            ["Test:RecordBlobs"] = "true",
            ["Test:SlowStatisticsWrites"] = "00:00:00.500",
            ["Test:ClientResponseTimeout"] = "00:00:03",
            ["Engine:StatisticsInterval"] = "01:00:00",
            ["Engine:StatisticsConcurrency"] = "1",
        });
        var spec = ForecastRunTests.Spec("stats-slow", members: 2, steps: 2);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);

        // Without waiting through timeouts, the first call into a busy pass fails (timed out, or expired while the grain
        // finishes its pass before deactivating).
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => RunStatistics.SettleAsync(engine.Grains, spec.RunId, spec.Steps));
        Assert.True(failed is TimeoutException or OperationCanceledException, failed.ToString());
        Assert.Equal([2, 2], await RunStatistics.SettleAsync(engine.Grains, spec.RunId, spec.Steps, untilDone: true));
        var forecast = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId);
        var stats = await WaitForCountsAsync(engine, spec.RunId, forecast.Layout, [2, 2]);
        await AssertEqualsOfflineAsync(forecast, stats, 2, [0, 1]);
    }

    [Fact]
    public async Task With_a_long_interval_each_lead_time_is_written_once_when_every_member_has_arrived()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1, settings: new()
        {
            ["Test:RecordBlobs"] = "true",
            ["Engine:StatisticsInterval"] = "01:00:00",
            ["Engine:StatisticsConcurrency"] = "1",
        });
        var spec = ForecastRunTests.Spec("stats-once", members: 3, steps: 3);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        var forecast = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId);
        var stats = await WaitForCountsAsync(engine, spec.RunId, forecast.Layout, [3, 3, 3]);
        // Reconciling after the run finds nothing new and writes nothing.
        Assert.Equal([3, 3, 3], await RunStatistics.SettleAsync(engine.Grains, spec.RunId, spec.Steps));

        var calls = engine.RecordingStoreOf(engine.Cluster.Primary!).Calls;
        var statsPrefix = RunLayout.StatisticsStore(spec.RunId) + "/";
        var writes = calls.Where(c => c.Operation == RecordingBlobStore.Operation.Write && c.Name.StartsWith(statsPrefix, StringComparison.Ordinal))
            .GroupBy(c => c.Name[statsPrefix.Length..])
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var step = 0; step < spec.Steps; step++)
        {
            foreach (var variable in forecast.Layout.Variables)
            {
                var index = variable.HasLevels ? $"{step}.0.0.0" : $"{step}.0.0";
                expected[$"{variable.Name}_mean/{index}"] = 1;
                expected[$"{variable.Name}_spread/{index}"] = 1;
            }

            expected[$"{EnsembleStatisticsStore.MemberCountArray}/{step}"] = 1;
        }

        Assert.Equal(expected, writes);
        for (var step = 1; step <= spec.Steps; step++)
        {
            await AssertEqualsOfflineAsync(forecast, stats, step, [0, 1, 2]);
        }

        // With one pass at a time on the silo, the reads and writes of one lead time's pass are never mixed with another's.
        var forecastChunks = RunLayout.ForecastStore(spec.RunId) + "/";
        var passSteps = calls
            .Where(c => (c.Operation == RecordingBlobStore.Operation.Read && c.Name.StartsWith(forecastChunks, StringComparison.Ordinal) && c.Name.Count(ch => ch == '.') >= 4)
                || (c.Operation == RecordingBlobStore.Operation.Write && c.Name.StartsWith(statsPrefix, StringComparison.Ordinal)))
            .Select(EnsembleStepStatisticsTests.PassStep)
            .ToList();
        Assert.Equal(spec.Steps - 1, passSteps.Zip(passSteps.Skip(1)).Count(pair => pair.First != pair.Second));
    }

    [Fact]
    public async Task A_cancelled_run_finalises_only_the_lead_times_its_members_reached()
    {
        // A 300-step run cancelled early: finalising every lead time would start 300 statistics passes at once (which once
        // flooded a local cluster's storage for longer than the next submit's response timeout).
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("stats-cancelled", members: 1, steps: 300);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2), s => s.Members[0].Step >= 2);
        await run.CancelAsync();
        var cancelled = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(1), s => s.State == RunState.Cancelled && s.Members[0].State == MemberState.Cancelled);
        var reached = cancelled.Members[0].Step;
        Assert.True(reached < 50, $"the member reached step {reached} before the cancel");

        var statistics = await engine.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var steps = statistics
            .Where(s => s.GrainId.Type.ToString()!.Contains("ensemblestatistics", StringComparison.OrdinalIgnoreCase) && s.GrainId.Key.ToString()!.StartsWith(spec.RunId + "/", StringComparison.Ordinal))
            .Select(s => int.Parse(s.GrainId.Key.ToString()![(spec.RunId.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.NotEmpty(steps);
        Assert.True(steps.Max() <= reached + 1, $"statistics grains of lead times up to {steps.Max()} were activated; the member reached {reached}");
    }

    [Fact]
    public async Task Partial_statistics_are_written_once_the_interval_has_passed_and_the_final_ones_when_the_last_member_arrives()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1, settings: new()
        {
            ["Test:RecordBlobs"] = "true",
            ["Engine:StatisticsInterval"] = "00:00:01",
        });
        const string runId = "stats-partial";
        var layout = EnsembleStepStatisticsTests.SyntheticLayout(members: 3);
        var writer = await ZarrForecastWriter.CreateForRunAsync(engine.Blobs, runId, layout);
        var grain = engine.Grains.GetGrain<IEnsembleStatisticsGrain>(IEnsembleStatisticsGrain.Key(runId, 1));

        // Two of three members, in the store before the grain activates (it finds both): one partial pass over both, when
        // the interval since the activation has passed (a grain timer).
        await EnsembleStepStatisticsTests.WriteMemberAsync(writer, member: 0, step: 0);
        await EnsembleStepStatisticsTests.WriteMemberAsync(writer, member: 1, step: 0);
        await grain.AddMemberAsync(0);
        await grain.AddMemberAsync(1);
        var forecast = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, runId);
        var stats = await WaitForCountsAsync(engine, runId, layout, [2, 0]);
        await AssertEqualsOfflineAsync(forecast, stats, 1, [0, 1]);
        Assert.Equal([0, 1], await grain.GetMembersAsync());

        // The last member: the final statistics at once.
        await EnsembleStepStatisticsTests.WriteMemberAsync(writer, member: 2, step: 0);
        await grain.AddMemberAsync(2);
        stats = await WaitForCountsAsync(engine, runId, layout, [3, 0]);
        await AssertEqualsOfflineAsync(forecast, stats, 1, [0, 1, 2]);
        Assert.Equal([0, 1, 2], await grain.ReconcileAsync());
        var countWrites = engine.RecordingStoreOf(engine.Cluster.Primary!).Calls
            .Count(c => c.Operation == RecordingBlobStore.Operation.Write && c.Name == $"{RunLayout.StatisticsStore(runId)}/{EnsembleStatisticsStore.MemberCountArray}/0");
        Assert.Equal(2, countWrites);
    }

    /// <summary>Waits until stats.zarr records <paramref name="counts"/> members per step (members announce one-way).</summary>
    internal static async Task<EnsembleStatisticsStore> WaitForCountsAsync(EngineCluster engine, string runId, ForecastStoreLayout layout, int[] counts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int[] seen = [];
        while (true)
        {
            var stats = await EnsembleStatisticsStore.OpenForRunAsync(engine.Blobs, runId, layout);
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
    internal static async Task AssertEqualsOfflineAsync(ZarrForecastReader forecast, EnsembleStatisticsStore stats, int step, int[] members)
    {
        foreach (var variable in forecast.Layout.Variables)
        {
            var (mean, spread) = await OfflineAsync(forecast, variable.Name, step, members);
            Assert.Contains(spread, s => s > 0);
            AssertWithinOneUlp(mean, await stats.ReadAsync(variable.Name, EnsembleStatistic.Mean, step - 1), $"{variable.Name} mean, step {step}");
            AssertWithinOneUlp(spread, await stats.ReadAsync(variable.Name, EnsembleStatistic.Spread, step - 1), $"{variable.Name} spread, step {step}");
        }
    }

    /// <summary>Two-pass float64 mean and spread (ddof = 1) of one variable over <paramref name="members"/> (at least two), rounded once to float32.</summary>
    internal static async Task<(float[] Mean, float[] Spread)> OfflineAsync(ZarrForecastReader forecast, string variable, int step, int[] members)
    {
        var fields = new List<float[]>();
        foreach (var m in members)
        {
            fields.Add(await forecast.ReadChunkAsync(variable, m, step - 1));
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

        return (mean, spread);
    }

    internal static void AssertWithinOneUlp(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(expected[i]) - BitConverter.SingleToInt32Bits(actual[i]));
            Assert.True(float.IsFinite(actual[i]) && ulps <= 1, $"{what} [{i}]: offline {expected[i]:R}, online {actual[i]:R}");
        }
    }
}
