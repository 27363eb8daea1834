using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>
/// <c>replay</c>: a member recomputed from its initial condition or a checkpoint equals every chunk it stored; a tampered chunk
/// is named; steps without a checkpoint are refused naming those that have one; nothing is written.
/// </summary>
[Collection(nameof(EngineCollection))]
public sealed class MemberReplayTests
{
    [Fact]
    public async Task A_replay_of_an_untouched_run_is_identical_and_a_tampered_chunk_is_named()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("replay", members: 2, steps: 3, checkpointEvery: 2);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        await RunStatistics.SettleAsync(engine.Grains, spec.RunId, spec.Steps, untilDone: true, CancellationToken.None);
        var variables = (await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId)).Layout.Variables.Count;
        var blobsBefore = (await engine.Blobs.ListAsync("")).Select(b => (b.Name, b.Length)).ToArray();
        var replay = engine.Grains.GetGrain<IMemberReplayGrain>(IEnsembleMemberGrain.Key(spec.RunId, 1));

        Assert.Equal(new ReplayReport(spec.RunId, 1, 0, 3, 3 * variables, null), await replay.ReplayAsync(0));
        Assert.Equal(new ReplayReport(spec.RunId, 1, 2, 3, variables, null), await replay.ReplayAsync(2));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => replay.ReplayAsync(1));
        Assert.Equal("Member 1 of run replay has no checkpoint at step 1; it has checkpoints at steps 2, 3 (or replay from 0).", e.Message);
        Assert.Equal(blobsBefore, (await engine.Blobs.ListAsync("")).Select(b => (b.Name, b.Length)).ToArray());

        // One value of member 1's step-3 temperature changed in storage: the replay names that chunk.
        var variable = new ForecastVariable("2m_temperature", false, "", "");
        var name = RunLayout.ForecastStore(spec.RunId) + "/" + ZarrForecastWriter.ChunkKey(variable, 1, 2);
        var bytes = (await engine.Blobs.ReadAsync(name)).Data;
        var values = ZarrFormat.Float32Values(bytes);
        values[5] += 1f;
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        await engine.Blobs.WriteAsync(name, new MemoryStream(bytes));
        var tampered = await replay.ReplayAsync(2);
        Assert.False(tampered.Identical);
        Assert.StartsWith("step 3, 2m_temperature: 1 of ", tampered.FirstDifference, StringComparison.Ordinal);
        Assert.EndsWith("values differ from the stored chunk (largest difference 1)", tampered.FirstDifference, StringComparison.Ordinal);
    }
}
