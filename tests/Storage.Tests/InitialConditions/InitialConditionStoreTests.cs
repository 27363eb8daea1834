using System.Security.Cryptography;
using GraphCast.Data.InitialConditions;
using GraphCast.Model.Configuration;
using GraphCast.Model.Geometry;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Testing;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Storage.Tests.InitialConditions;

/// <summary>The prepared initial condition streams through storage: named by the SHA-256 of exactly its stored bytes, read back exactly, a cut blob refused as altered.</summary>
public sealed class InitialConditionStoreTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-initial-store-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task A_prepared_blob_is_named_by_the_SHA256_of_its_stored_bytes_and_reads_back_the_frames_exactly()
    {
        var blobs = new LocalDirectoryBlobStore(_root.FullName);
        var (spec, condition) = await PrepareAsync(blobs, "exact");

        byte[] stored = (await blobs.ReadAsync(InitialConditionStore.BlobName("exact"))).Data;
        output.WriteLine($"{spec.InitialCondition} ({stored.Length:N0} bytes)");
        Assert.Equal(InitialConditionStore.Prefix + Convert.ToHexStringLower(SHA256.HashData(stored)), spec.InitialCondition);

        var grid = Grid();
        var frames = await new InitialConditionStore(blobs).ReadAsync(spec, Presets.Tiny.Task, grid.GridLatitudes, grid.GridLongitudes);
        Assert.Equal(condition.Frames.Count, frames.Count);
        string[] inputs = [.. Presets.Tiny.Task.InputVariables.Where(v => !Presets.Tiny.Task.ForcingVariables.Contains(v)).Distinct()];
        for (int f = 0; f < frames.Count; f++)
        {
            Assert.Equal(inputs.Order(StringComparer.Ordinal), frames[f].Names.Order(StringComparer.Ordinal));
            foreach (string name in inputs)
            {
                // Bit-exact: compare the raw bits, so NaN payloads and signed zeros count.
                Assert.Equal(condition.Frames[f][name].Select(BitConverter.SingleToInt32Bits), frames[f][name].Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1000)]
    [InlineData(-4)]
    public async Task A_cut_prepared_blob_is_refused_as_altered_wherever_it_was_cut(int keep)
    {
        var blobs = new LocalDirectoryBlobStore(_root.FullName);
        var (spec, _) = await PrepareAsync(blobs, "cut");
        string name = InitialConditionStore.BlobName("cut");
        byte[] stored = (await blobs.ReadAsync(name)).Data;
        await blobs.WriteAsync(name, new MemoryStream(stored[..(keep >= 0 ? keep : stored.Length + keep)]));

        var grid = Grid();
        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => new InitialConditionStore(blobs).ReadAsync(spec, Presets.Tiny.Task, grid.GridLatitudes, grid.GridLongitudes));

        Assert.StartsWith("runs/cut/initial.safetensors has SHA-256 ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"but the run's spec names {spec.InitialCondition[InitialConditionStore.Prefix.Length..]}: the blob was altered.", error.Message, StringComparison.Ordinal);
        // The parser's own verdict on the cut bytes is kept as the cause.
        Assert.Contains("'runs/cut/initial.safetensors'", Assert.IsType<InvalidDataException>(error.InnerException).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_prepared_content_needs_a_seekable_stream_and_stores_from_its_position()
    {
        var blobs = new LocalDirectoryBlobStore(_root.FullName);
        var store = new InitialConditionStore(blobs);
        byte[] content = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];

        var forwardOnly = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("seek", new ForwardOnlyStream(content)));
        Assert.Equal("content", forwardOnly.ParamName);

        var stream = new MemoryStream(content) { Position = 10 };
        string prepared = await store.WriteAsync("seek", stream);

        Assert.Equal(content[10..], (await blobs.ReadAsync(InitialConditionStore.BlobName("seek"))).Data);
        Assert.Equal(InitialConditionStore.Prefix + Convert.ToHexStringLower(SHA256.HashData(content.AsSpan(10))), prepared);
    }

    private static async Task<(ForecastSpec Spec, DatasetInitialCondition Condition)> PrepareAsync(IBlobStore blobs, string runId)
    {
        using var dataset = await DataSources.OpenAsync(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"));
        var (initialCondition, condition) = await new InitialConditionStore(blobs).PrepareAsync(
            runId, dataset, Presets.Tiny.Model, Presets.Tiny.Task, InitTime, FillPolicy.Interpolate | FillPolicy.Analytic);
        var spec = new ForecastSpec
        {
            RunId = runId,
            Model = "tiny",
            InitTime = InitTime,
            Steps = 1,
            Members = 1,
            Perturbation = PerturbationSpec.Parse("gaussian:0.1"),
            Seed = 7,
            InitialCondition = initialCondition,
        };
        return (spec, condition);
    }

    private static GraphCastGraphSpec Grid()
    {
        var model = Presets.Tiny.Model;
        return GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
    }

    private sealed class ForwardOnlyStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
