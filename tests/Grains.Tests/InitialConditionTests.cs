using GraphCast.Data.InitialConditions;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Testing;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>Runs initialised from real data: prepared once as a blob under the run, read by members on any silo.</summary>
[Collection(nameof(EngineCollection))]
public sealed class InitialConditionTests
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);
    private const FillPolicy Fill = FillPolicy.Interpolate | FillPolicy.Analytic;

    private static async Task<ForecastSpec> PrepareAsync(IBlobStore blobs, string runId, string file)
    {
        using var dataset = await DataSources.OpenAsync(SharedData.File("ifs-2024-06-03", file));
        var (initialCondition, _) = await new InitialConditionStore(blobs).PrepareAsync(runId, dataset, Presets.Tiny.Model, Presets.Tiny.Task, InitTime, Fill);
        return ForecastRunTests.Spec(runId, members: 2, steps: 2) with { InitialCondition = initialCondition };
    }

    [Fact]
    public async Task Runs_initialised_from_the_IFS_netcdf_and_grib_files_give_bit_identical_forecasts_equal_to_bare_rollouts()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 2);
        var fromNetCdf = await PrepareAsync(engine.Blobs, "ifs-netcdf", "pl_regular_ll.nc");
        var fromGrib = await PrepareAsync(engine.Blobs, "ifs-grib", "pl_regular_ll.grib");
        Assert.True(InitialConditionStore.IsPrepared(fromNetCdf.InitialCondition));
        foreach (var spec in new[] { fromNetCdf, fromGrib })
        {
            var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
            await run.SubmitAsync(spec);
            var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
            Assert.Equal(RunState.Completed, status.State);
        }

        var compared = 0;
        foreach (var variable in Presets.Tiny.Task.TargetVariables)
        {
            for (var member = 0; member < 2; member++)
            {
                for (var step = 1; step <= 2; step++)
                {
                    var a = await ForecastRunTests.ChunkAsync(engine.Blobs, fromNetCdf.RunId, variable, member, step, 0);
                    var b = await ForecastRunTests.ChunkAsync(engine.Blobs, fromGrib.RunId, variable, member, step, 0);
                    Assert.NotNull(a);
                    Assert.Equal(a, b);
                    compared++;
                }
            }
        }

        Assert.Equal(11 * 2 * 2, compared);

        // The engine equals a plain loop over the same prepared frames, and the real data is not the analytic state.
        var model = Presets.Tiny.Model;
        var grid = GraphCast.Model.Geometry.GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        var frames = await new InitialConditionStore(engine.Blobs).ReadAsync(fromNetCdf, Presets.Tiny.Task, grid.GridLatitudes, grid.GridLongitudes);
        await ForecastRunTests.AssertMemberEqualsBareAsync(engine, fromNetCdf, 1, frames);
        var analytic = ForecastRunTests.Spec("analytic", members: 1, steps: 1);
        var fromAnalytic = await BareRollout.RunAsync(analytic, 0, Path.Combine(engine.Directory, ".graphs"));
        Assert.NotEqual(fromAnalytic[(1, Variables.Temperature)], await ForecastRunTests.ChunkAsync(engine.Blobs, fromNetCdf.RunId, Variables.Temperature, 0, 1, 0));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_file_and_the_fix_and_writes_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("gc-initial-").FullName;
        try
        {
            var blobs = new LocalDirectoryBlobStore(directory);
            var store = new InitialConditionStore(blobs);
            using var dataset = await DataSources.OpenAsync(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"));

            var lacking = await Assert.ThrowsAsync<ArgumentException>(() => store.PrepareAsync("lacking", dataset, Presets.Tiny.Model, Presets.Tiny.Task, InitTime, FillPolicy.None));
            Assert.Contains("pl_regular_ll.nc' lacks inputs the model needs", lacking.Message, StringComparison.Ordinal);
            Assert.Contains("--fill", lacking.Message, StringComparison.Ordinal);

            var early = await Assert.ThrowsAsync<ArgumentException>(() => store.PrepareAsync("early", dataset, Presets.Tiny.Model, Presets.Tiny.Task, InitTime.AddHours(-6), Fill));
            Assert.Contains("no data at 2024-06-02T18:00Z", early.Message, StringComparison.Ordinal);
            Assert.Empty(await blobs.ListAsync(""));

            await Assert.ThrowsAsync<FileNotFoundException>(() => DataSources.OpenAsync(Path.Combine(directory, "absent.nc")));
            var notData = await Assert.ThrowsAsync<InvalidDataException>(() => DataSources.OpenAsync(directory));
            Assert.Contains("not a Zarr forecast store", notData.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_altered_or_missing_prepared_blob_is_refused_at_submission_and_by_members()
    {
        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = await PrepareAsync(engine.Blobs, "altered", "pl_regular_ll.nc");
        var name = InitialConditionStore.BlobName(spec.RunId);
        var bytes = (await engine.Blobs.ReadAsync(name)).Data;
        bytes[^1] ^= 1;
        using (var stream = new MemoryStream(bytes))
        {
            await engine.Blobs.WriteAsync(name, stream);
        }

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId).SubmitAsync(spec));
        Assert.Contains("runs/altered/initial.safetensors in the local folder", refused.Message, StringComparison.Ordinal);
        Assert.Null(await engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId).GetStatusAsync());

        // A member reading it (a blob altered after submission) fails on the hash, never running from other data.
        var model = Presets.Tiny.Model;
        var grid = GraphCast.Model.Geometry.GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        var read = await Assert.ThrowsAsync<InvalidDataException>(() => new InitialConditionStore(engine.Blobs).ReadAsync(spec, Presets.Tiny.Task, grid.GridLatitudes, grid.GridLongitudes));
        Assert.Contains("the blob was altered", read.Message, StringComparison.Ordinal);

        // A spec naming a prepared blob that does not exist is refused at submission.
        var missing = spec with { RunId = "missing" };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>("missing").SubmitAsync(missing));
        Assert.Contains("runs/missing/initial.safetensors is not in", e.Message, StringComparison.Ordinal);
    }
}
