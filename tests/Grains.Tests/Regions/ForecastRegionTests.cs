using GraphCast.Model.Geometry;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Grains.Tests.Regions;

/// <summary>Forecast regions as grains beside their members: cut-outs, nests, determinism, failures that stay their own.</summary>
[Collection(nameof(EngineCollection))]
public sealed class ForecastRegionTests
{
    private const string Cutout = "cut:20:60:0:40:10:6h:1=none";
    private const string Nest = "nest:20:60:-10:30:5:3h:1=seed:3";

    private static async Task<RegionProgress> WaitForRegionAsync(EngineCluster engine, string runId, string region, int member)
    {
        var grain = engine.Grains.GetGrain<IForecastRegionGrain>(IForecastRegionGrain.Key(runId, region, member));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var progress = await grain.GetProgressAsync();
            if (progress.State is MemberState.Completed or MemberState.Failed)
            {
                return progress;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Region {region} of {runId}/{member} did not finish in 3 min; last {progress.State} at parent step {progress.ParentStep}, error {progress.Error}.");
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_cutout_equals_its_members_slice_and_a_nest_writes_its_own_grid_and_lead_times()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("regions", members: 2, steps: 2) with { Regions = [Cutout, Nest] };
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        for (var member = 0; member < 2; member++)
        {
            Assert.Equal(MemberState.Completed, (await WaitForRegionAsync(engine, spec.RunId, "cut", member)).State);
            var nest = await WaitForRegionAsync(engine, spec.RunId, "nest", member);
            Assert.Equal(MemberState.Completed, nest.State);
            Assert.Equal((2, 4), (nest.ParentStep, nest.Step));
        }

        var parent = await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId);
        var cut = await ZarrForecastReader.OpenAsync(engine.Blobs, RunLayout.RegionForecastStore(spec.RunId, "cut"));
        Assert.Equal([20f, 30f, 40f, 50f, 60f], cut.Layout.Latitudes);
        Assert.Equal([0f, 10f, 20f, 30f, 40f], cut.Layout.Longitudes);
        Assert.Equal([6L, 12L], cut.Layout.LeadTimesHours);
        Assert.Equal(spec.RunId, cut.Layout.Attributes["parent_run"]);
        Assert.Equal("cut:20:60:0:40:10:6h:1", cut.Layout.Attributes["region_definition"]);

        // The parent's 10° grid: latitudes −90..90 (row (lat + 90)/10), longitudes 0..350.
        var grid = GraphCastGraphSpec.RegularGrid(10.0, 0, 0.6, null);
        foreach (var variable in new[] { "2m_temperature", "temperature" })
        {
            var levels = GraphCast.Model.Configuration.TaskConfig.HasLevels(variable) ? 13 : 1;
            for (var member = 0; member < 2; member++)
            {
                for (var step = 0; step < 2; step++)
                {
                    var whole = await parent.ReadChunkAsync(variable, member, step);
                    var part = await cut.ReadChunkAsync(variable, member, step);
                    Assert.Equal(levels * 5 * 5, part.Length);
                    for (var level = 0; level < levels; level++)
                    {
                        for (var i = 0; i < 5; i++)
                        {
                            for (var j = 0; j < 5; j++)
                            {
                                var expected = whole[(level * grid.GridNodeCount) + ((11 + i) * 36) + j];
                                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(part[(level * 25) + (i * 5) + j]));
                            }
                        }
                    }
                }
            }
        }

        var nested = await ZarrForecastReader.OpenAsync(engine.Blobs, RunLayout.RegionForecastStore(spec.RunId, "nest"));
        Assert.Equal([3L, 6L, 9L, 12L], nested.Layout.LeadTimesHours);
        Assert.Equal(9, nested.Layout.Latitudes.Count);
        Assert.Equal(-10f, nested.Layout.Longitudes[0]);
        Assert.Equal(30f, nested.Layout.Longitudes[^1]);
        Assert.Equal("seed:3", nested.Layout.Attributes["region_model"]);

        // The nest's boundary at the end of each parent step is the parent's fields; where the grids share a point, exactly.
        for (var member = 0; member < 2; member++)
        {
            for (var step = 1; step <= 2; step++)
            {
                var whole = await parent.ReadChunkAsync("2m_temperature", member, step - 1);
                var part = await nested.ReadChunkAsync("2m_temperature", member, (2 * step) - 1);
                Assert.All(part, v => Assert.True(float.IsFinite(v)));
                foreach (var (i, j) in new[] { (0, 0), (0, 2), (8, 8), (4, 0), (2, 8) })
                {
                    var lat = 20 + (5 * i);
                    var lon = (-10 + (5 * j) + 360) % 360;
                    var expected = whole[((lat + 90) / 10 * 36) + (lon / 10)];
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(part[(i * 9) + j]));
                }
            }
        }
    }

    [Fact]
    public async Task A_nest_of_member_2_is_the_same_in_a_3_and_a_5_member_run()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var three = ForecastRunTests.Spec("three-nest", members: 3, steps: 2, perturb: "correlated:0.1:1500") with { Regions = [Nest] };
        var five = three with { RunId = "five-nest", Members = 5 };
        await engine.Grains.GetGrain<IForecastRunGrain>(three.RunId).SubmitAsync(three);
        await engine.Grains.GetGrain<IForecastRunGrain>(five.RunId).SubmitAsync(five);
        Assert.Equal(MemberState.Completed, (await WaitForRegionAsync(engine, three.RunId, "nest", 2)).State);
        Assert.Equal(MemberState.Completed, (await WaitForRegionAsync(engine, five.RunId, "nest", 2)).State);
        var a = await ZarrForecastReader.OpenAsync(engine.Blobs, RunLayout.RegionForecastStore(three.RunId, "nest"));
        var b = await ZarrForecastReader.OpenAsync(engine.Blobs, RunLayout.RegionForecastStore(five.RunId, "nest"));
        foreach (var variable in new[] { "2m_temperature", "temperature", "specific_humidity" })
        {
            for (var step = 0; step < 4; step++)
            {
                var x = await a.ReadChunkBytesAsync(variable, 2, step);
                var y = await b.ReadChunkBytesAsync(variable, 2, step);
                Assert.True(x.AsSpan().SequenceEqual(y), $"{variable} regional step {step + 1}");
            }
        }

        // Member 1's nest differs from member 2's: each nest follows its own member.
        var member1 = await a.ReadChunkBytesAsync("2m_temperature", 1, 3);
        var member2 = await a.ReadChunkBytesAsync("2m_temperature", 2, 3);
        Assert.False(member1.AsSpan().SequenceEqual(member2));
    }

    [Fact]
    public async Task A_failing_region_is_reported_and_leaves_its_parent_completed()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var missing = Path.Combine(engine.Directory, "no-such-weights.safetensors");
        var spec = ForecastRunTests.Spec("failing-region", members: 2, steps: 2) with { Regions = [$"broken:20:60:0:40:5:6h:1={missing}"] };
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, status.State);
        Assert.All(status.Members, m => Assert.Equal(2, m.Step));
        var region = await WaitForRegionAsync(engine, spec.RunId, "broken", 0);
        Assert.Equal(MemberState.Failed, region.State);
        Assert.Equal($"Region weights file '{missing}' does not exist: give an existing .safetensors or .npz file, or seed:N.", region.Error);
        await ForecastRunTests.AssertMemberEqualsBareAsync(engine, spec with { Regions = null }, 1);
    }

    [Theory]
    [InlineData("dup", new[] { "eu:20:60:0:40=none", "eu:0:40:0:40=none" }, "Two regions are named 'eu': give each --region its own name.")]
    [InlineData("narrow", new[] { "eu:20:40:0:40=none" }, "Region 'eu': the box is 2 × 4 grid cells of 10°; it needs at least 4 cells each way")]
    [InlineData("res", new[] { "eu:20:60:0:40:3=seed:1" }, "Region 'eu': RES 3° must divide the parent's 10° grid spacing")]
    [InlineData("step", new[] { "eu:20:60:0:40:5:4h=seed:1" }, "Region 'eu': STEP 4h must divide the parent's 6h step")]
    public async Task Bad_regions_are_refused_at_submit_and_write_nothing(string runId, string[] regions, string message)
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec(runId, 1, 1) with { Regions = regions };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>(runId).SubmitAsync(spec));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(await engine.Blobs.ListAsync("runs/"));
    }

    [Fact]
    public void A_spec_without_regions_hashes_as_before_regions_existed()
    {
        var spec = ForecastRunTests.Spec("hash", 1, 1);
        Assert.DoesNotContain("regions", SpecHash.Canonical(spec), StringComparison.Ordinal);
        Assert.Contains("\"regions\"", SpecHash.Canonical(spec with { Regions = [Nest] }), StringComparison.Ordinal);
        Assert.NotEqual(SpecHash.Of(spec), SpecHash.Of(spec with { Regions = [Nest] }));
        Assert.Equal(spec, spec with { Regions = [] });
    }
}
