using GraphCast.Formats.Npy;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Storage.Tests.Checkpoints;

/// <summary>Checkpoints stream through storage: writing one allocates no buffer of the blob, reading one allocates its tensors once.</summary>
/// <remarks>
/// Managed allocation is counted process-wide (<see cref="GC.GetTotalAllocatedBytes(bool)"/>: the store's awaits continue on
/// pool threads), so the tests run alone in <see cref="AllocationCollection"/>. The bounds leave a few MB for buffers,
/// headers and state machines; a whole-blob buffer (64 MiB here) cannot hide in them.
/// </remarks>
[Collection(nameof(AllocationCollection))]
public sealed class RolloutCheckpointStoreMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int TensorBytes = 16 << 20;
    private const int TensorCount = 4;
    private const long Slack = 8 << 20;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-checkpoint-memory-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task A_64_MiB_checkpoint_is_written_without_a_blob_buffer_and_read_into_its_tensors_only()
    {
        var store = new RolloutCheckpointStore(new LocalDirectoryBlobStore(_root.FullName));
        var tensors = LargeTensors();
        var metadata = new RolloutCheckpointMetadata(12, "spec-large", "model-large", "cpu", "float32");
        long total = (long)TensorBytes * TensorCount;

        // Warm up (JIT, array pool, first-use statics) on a small checkpoint so that the measured calls count only their own data.
        await store.WriteAsync("warm", 0, metadata, [new("x", NpyArray.FromFloats([1f, 2f]))]);
        _ = await store.LoadAsync("warm", 0, 12);

        long start = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Equal(CheckpointWriteOutcome.Written, await store.WriteAsync("large", 3, metadata, tensors));
        long written = GC.GetTotalAllocatedBytes(precise: true);
        var loaded = await store.LoadAsync("large", 3, 12);
        long read = GC.GetTotalAllocatedBytes(precise: true);

        output.WriteLine($"checkpoint of {total:N0} tensor bytes: write allocated {written - start:N0} B, read allocated {read - written:N0} B");
        Assert.True(written - start < Slack, $"Writing allocated {written - start:N0} bytes; a checkpoint of {total:N0} bytes must stream to storage.");
        Assert.True(read - written < total + Slack, $"Reading allocated {read - written:N0} bytes; only the {total:N0} bytes of tensors should be.");
        Assert.Equal(tensors.Select(t => t.Key), loaded.Tensors.Keys);
        foreach (var (name, array) in tensors)
        {
            Assert.Equal(array, loaded.Tensors[name]);
        }
    }

    /// <summary>Four float32 tensors of 16 MiB (two input frames, the statics, the forcings), filled with seeded noise.</summary>
    private static List<KeyValuePair<string, NpyArray>> LargeTensors()
    {
        var random = new Random(64);
        string[] names = ["carry/frame_0", "carry/frame_1", "carry/statics", "carry/forcings"];
        return [.. names.Select(name =>
        {
            var data = new byte[TensorBytes];
            random.NextBytes(data);
            return new KeyValuePair<string, NpyArray>(name, new NpyArray(NpyDtype.Float32, [4, 1024, 1024], data));
        })];
    }
}
