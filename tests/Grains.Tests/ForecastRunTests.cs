using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>Ensemble runs on an in-process cluster: bit-identical to bare rollouts, independent of ensemble size, shared models.</summary>
[Collection(nameof(EngineCollection))]
public sealed class ForecastRunTests
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    internal static ForecastSpec Spec(string runId, int members, int steps, string perturb = "gaussian:0.1", int checkpointEvery = 1) => new()
    {
        RunId = runId,
        Model = "tiny",
        InitTime = InitTime,
        Steps = steps,
        Members = members,
        Perturbation = PerturbationSpec.Parse(perturb),
        Seed = 7,
        CheckpointEvery = checkpointEvery,
    };

    internal static async Task<RunStatus> WaitAsync(IForecastRunGrain run, TimeSpan timeout, Func<RunStatus, bool>? until = null)
    {
        until ??= s => s.IsFinished;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status is not null && until(status))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {run.GetPrimaryKeyString()} did not reach the awaited state in {timeout.TotalSeconds} s; last state {status?.State}, steps [{string.Join(", ", status?.Members.Select(m => $"{m.Step}:{m.State}") ?? [])}].");
            }

            await Task.Delay(100);
        }
    }

    internal static async Task<byte[]?> ChunkAsync(IBlobStore blobs, string runId, string variable, int member, int step, int values)
    {
        var v = new ForecastVariable(variable, GraphCast.Model.Configuration.TaskConfig.HasLevels(variable), "", "");
        var name = RunLayout.ForecastStore(runId) + "/" + ZarrForecastWriter.ChunkKey(v, member, step - 1);
        // Raw values whatever the store's codec.
        return await blobs.ExistsAsync(name) ? await (await ZarrForecastReader.OpenForRunAsync(blobs, runId)).ReadChunkBytesAsync(variable, member, step - 1) : null;
    }

    internal static async Task AssertMemberEqualsBareAsync(EngineCluster engine, ForecastSpec spec, int member, IReadOnlyList<GraphCast.Model.Fields.GridFields>? prepared = null)
    {
        var bare = await BareRollout.RunAsync(spec, member, Path.Combine(engine.Directory, ".graphs"), prepared);
        foreach (var ((step, variable), bytes) in bare)
        {
            var written = await ChunkAsync(engine.Blobs, spec.RunId, variable, member, step, bytes.Length / 4);
            Assert.True(written is not null, $"member {member} step {step} {variable}: chunk missing");
            Assert.True(bytes.AsSpan().SequenceEqual(written), $"member {member} step {step} {variable}: differs from the bare rollout");
        }
    }

    [Fact]
    public async Task A_compressed_run_equals_bare_rollouts_and_its_store_describes_the_run()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = Spec("described", members: 2, steps: 2) with { Compression = "zstd:1" };
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        for (var m = 0; m < spec.Members; m++)
        {
            await AssertMemberEqualsBareAsync(engine, spec, m);
        }

        var layout = (await ZarrForecastReader.OpenForRunAsync(engine.Blobs, spec.RunId)).Layout;
        Assert.Equal(GraphCast.Formats.Zarr.ZarrCompressor.Parse("zstd:1"), layout.Compressor);
        var attributes = layout.Attributes;
        Assert.Equal("CF-1.8", attributes["Conventions"]);
        Assert.Equal("described", attributes["graphcast_run_id"]);
        Assert.Equal("tiny", attributes["graphcast_model"]);
        Assert.Equal("7", attributes["graphcast_seed"]);
        Assert.Equal("2", attributes["graphcast_members"]);
        Assert.Equal("zstd:1", attributes["graphcast_compression"]);
        Assert.Equal("2024-06-03T06:00:00Z", attributes["init_time"]);
        Assert.Equal(SpecHash.Canonical(spec), attributes["graphcast_spec"]);
        Assert.Equal(SpecHash.Of(spec), attributes["graphcast_spec_hash"]);
        var version = typeof(ForecastRunGrain).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.Equal(version, attributes["graphcast_engine_version"]);
        Assert.Contains(version, attributes["source"], StringComparison.Ordinal);
        Assert.Equal("graphcast forecast --run-id described: model tiny, 2 members x 2 steps from 2024-06-03T06:00:00Z (GraphCast.Orleans " + version + ")", attributes["history"]);
    }

    [Fact]
    public async Task A_four_member_run_on_two_silos_equals_bare_rollouts_bit_for_bit()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 2);
        var spec = Spec("four-members", members: 4, steps: 3);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, status.State);
        Assert.All(status.Members, m => Assert.Equal(3, m.Step));
        for (var m = 0; m < 4; m++)
        {
            await AssertMemberEqualsBareAsync(engine, spec, m);
        }

        // The run and each member name the parameters, device and dtype they computed with.
        using (var tiny = GraphCast.Model.GraphCastModel.FromPreset(GraphCast.Model.Configuration.Presets.Tiny, new() { GraphCacheDirectory = Path.Combine(engine.Directory, ".graphs") }))
        {
            Assert.Equal(tiny.Hash, status.ModelHash);
            Assert.All(status.Members, m => Assert.Equal((tiny.Hash, "cpu", "float32"), (m.ModelHash, m.Device, m.Dtype)));
        }

        // Member 0 is the unperturbed control; member 1 differs from it.
        var c0 = await ChunkAsync(engine.Blobs, spec.RunId, "2m_temperature", 0, 1, 684);
        var c1 = await ChunkAsync(engine.Blobs, spec.RunId, "2m_temperature", 1, 1, 684);
        Assert.False(c0!.AsSpan().SequenceEqual(c1));
        // Submitting the same spec again is idempotent; another spec under the same id is refused and writes nothing.
        Assert.Equal(RunState.Completed, (await run.SubmitAsync(spec)).State);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => run.SubmitAsync(spec with { Steps = 4 }));
        Assert.Contains("already exists with a different spec", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_2_is_the_same_in_a_3_member_and_a_5_member_run()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var three = Spec("three", members: 3, steps: 2, perturb: "correlated:0.1:1500");
        var five = three with { RunId = "five", Members = 5 };
        var a = engine.Grains.GetGrain<IForecastRunGrain>(three.RunId);
        var b = engine.Grains.GetGrain<IForecastRunGrain>(five.RunId);
        await a.SubmitAsync(three);
        await b.SubmitAsync(five);
        Assert.Equal(RunState.Completed, (await WaitAsync(a, TimeSpan.FromMinutes(2))).State);
        Assert.Equal(RunState.Completed, (await WaitAsync(b, TimeSpan.FromMinutes(2))).State);
        foreach (var variable in new[] { "2m_temperature", "temperature", "specific_humidity" })
        {
            for (var step = 1; step <= 2; step++)
            {
                var x = await ChunkAsync(engine.Blobs, "three", variable, 2, step, 0);
                var y = await ChunkAsync(engine.Blobs, "five", variable, 2, step, 0);
                Assert.True(x!.AsSpan().SequenceEqual(y), $"{variable} step {step}");
            }
        }
    }

    [Fact]
    public async Task Sixteen_members_on_one_silo_load_the_parameters_once()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = Spec("sixteen", members: 16, steps: 1, perturb: "none");
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        Assert.Equal(1, engine.RegistryOf(engine.Cluster.Primary!).Loads);
    }

    [Theory]
    [InlineData("bad-preset", "graphcast-huge", 2, 2, null, "Unknown preset 'graphcast-huge'")]
    [InlineData("bad-members", "tiny", 0, 2, null, "members must be between 1")]
    [InlineData("bad-steps", "tiny", 2, 0, null, "steps must be between 1")]
    [InlineData("bad-variable", "tiny", 2, 2, "snowfall", "'snowfall' are not predicted")]
    public async Task Bad_specs_are_refused_and_write_nothing(string runId, string model, int members, int steps, string? variable, string message)
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = Spec(runId, members, steps) with { Model = model, OutputVariables = variable is null ? [] : [variable] };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>(runId).SubmitAsync(spec));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(await engine.Blobs.ListAsync("runs/"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("../escape")]
    public async Task Run_ids_that_would_escape_their_prefix_are_refused(string runId)
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = Spec(runId, 1, 1);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>(runId).SubmitAsync(spec));
        Assert.Empty(await engine.Blobs.ListAsync("runs/"));
    }
}
