using System.Collections.Immutable;
using GraphCast.Formats.Npy;
using GraphCast.Formats.Safetensors;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Tests.Blobs;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Storage.Tests.Checkpoints;

/// <summary>Member checkpoints: layout, exact round trip, create-only with idempotent retries, fallback past corrupt ones, refusal of another model's.</summary>
public sealed class RolloutCheckpointStoreTests : IDisposable
{
    private const string Spec = "spec-1f2e";
    private const string Model = "model-9a8b";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-checkpoints-");
    private readonly LocalDirectoryBlobStore _blobs;
    private readonly RecordingLogger<RolloutCheckpointStore> _logger = new();
    private readonly RolloutCheckpointStore _store;

    public RolloutCheckpointStoreTests()
    {
        _blobs = new LocalDirectoryBlobStore(_root.FullName);
        _store = new RolloutCheckpointStore(_blobs, _logger);
    }

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Checkpoint_is_written_at_its_layout_name_and_loads_back_exactly()
    {
        var metadata = Metadata(step: 7) with
        {
            Extra = ImmutableSortedDictionary.CreateRange<string, string>(StringComparer.Ordinal, [new("lead_time_hours", "42"), new("rng", "philox")]),
        };
        var tensors = Tensors(seed: 1);

        Assert.Equal(CheckpointWriteOutcome.Written, await _store.WriteAsync("r1", 2, metadata, tensors));

        Assert.Equal(["runs/r1/members/2/checkpoints/000007.safetensors"], (await _blobs.ListAsync(string.Empty)).Select(e => e.Name));
        var loaded = await _store.LoadAsync("r1", 2, 7);
        Assert.Equal("runs/r1/members/2/checkpoints/000007.safetensors", loaded.BlobName);
        Assert.Equal((7, Spec, Model, "cpu", "float32"), (loaded.Metadata.Step, loaded.Metadata.SpecHash, loaded.Metadata.ModelHash, loaded.Metadata.Device, loaded.Metadata.Dtype));
        Assert.Equal([new("lead_time_hours", "42"), new("rng", "philox")], loaded.Metadata.Extra.ToList());
        Assert.Equal(tensors.Select(t => t.Key), loaded.Tensors.Keys);
        foreach (var (name, array) in tensors)
        {
            Assert.Equal(array, loaded.Tensors[name]);
        }
    }

    [Fact]
    public async Task Header_records_step_hashes_device_dtype_and_a_content_checksum()
    {
        await _store.WriteAsync("r1", 0, Metadata(step: 3) with { Device = "cuda", Dtype = "bfloat16" }, Tensors(seed: 2));

        await using var blob = await _blobs.OpenReadAsync("runs/r1/members/0/checkpoints/000003.safetensors");
        var header = SafetensorsFormat.Read(blob).Metadata;

        Assert.Equal(
            ["content_sha256", "device", "dtype", "format", "model_hash", "spec_hash", "step"],
            header.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("3", Spec, Model, "cuda", "bfloat16", RolloutCheckpointStore.Format), (header["step"], header["spec_hash"], header["model_hash"], header["device"], header["dtype"], header["format"]));
        Assert.Matches("^[0-9a-f]{64}$", header["content_sha256"]);
    }

    [Fact]
    public async Task Steps_are_zero_padded_so_listing_order_is_step_order()
    {
        foreach (int step in new[] { 100, 2, 10, 0 })
        {
            await _store.WriteAsync("r1", 0, Metadata(step), Tensors(step));
        }

        Assert.Equal([0, 2, 10, 100], await _store.ListStepsAsync("r1", 0));
        Assert.Equal(
            ["000000.safetensors", "000002.safetensors", "000010.safetensors", "000100.safetensors"],
            (await _blobs.ListAsync("runs/r1/members/0/checkpoints/")).Select(e => e.Name[^18..]));
        Assert.Empty(await _store.ListStepsAsync("r1", 1));
    }

    [Fact]
    public async Task Writing_the_same_checkpoint_again_is_an_idempotent_success()
    {
        Assert.Equal(CheckpointWriteOutcome.Written, await _store.WriteAsync("r1", 0, Metadata(4), Tensors(seed: 4)));
        Assert.Equal(CheckpointWriteOutcome.Written, await _store.WriteAsync("r1", 0, Metadata(4), Tensors(seed: 4)));
    }

    [Fact]
    public async Task Writing_other_content_over_a_valid_checkpoint_is_a_conflict_that_names_the_difference()
    {
        await _store.WriteAsync("r1", 0, Metadata(4), Tensors(seed: 4));
        byte[] before = (await _blobs.ReadAsync("runs/r1/members/0/checkpoints/000004.safetensors")).Data;

        var device = await Assert.ThrowsAsync<CheckpointConflictException>(() => _store.WriteAsync("r1", 0, Metadata(4) with { Device = "cuda" }, Tensors(seed: 4)));
        var data = await Assert.ThrowsAsync<CheckpointConflictException>(() => _store.WriteAsync("r1", 0, Metadata(4), Tensors(seed: 5)));

        Assert.Equal("runs/r1/members/0/checkpoints/000004.safetensors", device.BlobName);
        Assert.Contains("(device cpu stored, cuda now)", device.Message, StringComparison.Ordinal);
        Assert.Contains("(same metadata, different tensors)", data.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await _blobs.ReadAsync("runs/r1/members/0/checkpoints/000004.safetensors")).Data);
    }

    [Fact]
    public async Task Latest_valid_checkpoint_is_the_newest_when_all_verify()
    {
        for (int step = 1; step <= 3; step++)
        {
            await _store.WriteAsync("r1", 1, Metadata(step), Tensors(step));
        }

        var latest = await _store.LoadLatestValidAsync("r1", 1, Spec, Model);

        Assert.Equal(3, latest.Checkpoint!.Metadata.Step);
        Assert.Equal(Tensors(3)[0].Value, latest.Checkpoint.Tensors["carry/inputs"]);
        Assert.Empty(latest.Rejected);
    }

    [Fact]
    public async Task Corrupt_and_truncated_newest_checkpoints_are_skipped_reported_and_logged()
    {
        for (int step = 1; step <= 5; step++)
        {
            await _store.WriteAsync("r1", 1, Metadata(step), Tensors(step));
        }

        await DamageAsync("runs/r1/members/1/checkpoints/000005.safetensors", bytes => bytes[..^4]);
        await DamageAsync("runs/r1/members/1/checkpoints/000004.safetensors", FlipBit(^1));
        await DamageAsync("runs/r1/members/1/checkpoints/000003.safetensors", bytes => bytes[..(bytes.Length / 2)]);

        var latest = await _store.LoadLatestValidAsync("r1", 1, Spec, Model);

        Assert.Equal(2, latest.Checkpoint!.Metadata.Step);
        Assert.Equal(Tensors(2)[1].Value, latest.Checkpoint.Tensors["rng/state"]);
        Assert.Equal([5, 4, 3], latest.Rejected.Select(r => r.Step));
        Assert.Equal(
            "Tensor 'step_time' in 'runs/r1/members/1/checkpoints/000005.safetensors': data_offsets [122, 126] are out of range; the data region holds 122 bytes.",
            latest.Rejected[0].Reason);
        Assert.StartsWith("its content SHA-256 is ", latest.Rejected[1].Reason, StringComparison.Ordinal);
        Assert.EndsWith("declares a safetensors header of 512 bytes, more than the 315 bytes that follow; the file is corrupt or not safetensors.", latest.Rejected[2].Reason, StringComparison.Ordinal);
        Assert.Equal(
            [LogLevel.Warning, LogLevel.Warning, LogLevel.Warning],
            _logger.Entries.Select(e => e.Level));
        Assert.StartsWith(
            "Skipping checkpoint runs/r1/members/1/checkpoints/000004.safetensors (step 4): its content SHA-256 is ",
            _logger.Entries[1].Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, "is not a safetensors file: it is shorter than the 8-byte header length.")]
    [InlineData(100, "declares a safetensors header of 512 bytes, more than the 92 bytes that follow; the file is corrupt or not safetensors.")]
    [InlineData(8 + 512 + 50, "Tensor 'carry/inputs' in 'runs/r1/members/0/checkpoints/000006.safetensors': data_offsets [0, 96] are out of range; the data region holds 50 bytes.")]
    public async Task A_checkpoint_cut_anywhere_is_corrupt_when_loaded_and_says_where(int keep, string reason)
    {
        await _store.WriteAsync("r1", 0, Metadata(6), Tensors(6));
        await DamageAsync("runs/r1/members/0/checkpoints/000006.safetensors", bytes => bytes[..keep]);

        var error = await Assert.ThrowsAsync<CorruptCheckpointException>(() => _store.LoadAsync("r1", 0, 6));

        Assert.Equal("runs/r1/members/0/checkpoints/000006.safetensors", error.BlobName);
        Assert.EndsWith(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_renamed_to_another_step_is_rejected_by_its_header()
    {
        await _store.WriteAsync("r1", 0, Metadata(1), Tensors(1));
        byte[] step1 = (await _blobs.ReadAsync("runs/r1/members/0/checkpoints/000001.safetensors")).Data;
        Assert.True(await _blobs.TryCreateAsync("runs/r1/members/0/checkpoints/000002.safetensors", new MemoryStream(step1)));

        var latest = await _store.LoadLatestValidAsync("r1", 0, Spec, Model);

        Assert.Equal(1, latest.Checkpoint!.Metadata.Step);
        Assert.Equal("its header says step '1', but its name says step 2.", Assert.Single(latest.Rejected).Reason);
    }

    [Fact]
    public async Task No_valid_checkpoint_gives_none_with_every_rejection()
    {
        Assert.Equal(new LatestCheckpoint(null, []).Checkpoint, (await _store.LoadLatestValidAsync("r1", 0, Spec, Model)).Checkpoint);
        await _store.WriteAsync("r1", 0, Metadata(1), Tensors(1));
        await DamageAsync("runs/r1/members/0/checkpoints/000001.safetensors", FlipBit(20));

        var latest = await _store.LoadLatestValidAsync("r1", 0, Spec, Model);

        Assert.Null(latest.Checkpoint);
        Assert.Equal("runs/r1/members/0/checkpoints/000001.safetensors", Assert.Single(latest.Rejected).BlobName);
    }

    [Fact]
    public async Task Newest_valid_checkpoint_of_another_spec_or_model_is_an_error_naming_both_hashes()
    {
        await _store.WriteAsync("r1", 0, Metadata(1), Tensors(1));
        await _store.WriteAsync("r1", 0, Metadata(2) with { ModelHash = "model-other" }, Tensors(2));

        var model = await Assert.ThrowsAsync<CheckpointMismatchException>(() => _store.LoadLatestValidAsync("r1", 0, Spec, Model));
        var spec = await Assert.ThrowsAsync<CheckpointMismatchException>(() => _store.LoadLatestValidAsync("r1", 0, "spec-new", "model-other"));

        Assert.Equal(
            "Checkpoint 'runs/r1/members/0/checkpoints/000002.safetensors' was written with spec hash spec-1f2e and model hash " +
            "model-other, but this resume expects spec hash spec-1f2e and model hash model-9a8b. It belongs to another " +
            "configuration or model: resume with the spec and model that wrote it, or start a new run id.",
            model.Message);
        Assert.Equal(("spec-new", Spec), (spec.ExpectedSpecHash, spec.FoundSpecHash));
    }

    [Fact]
    public async Task Rewriting_a_step_whose_checkpoint_is_corrupt_replaces_it()
    {
        await _store.WriteAsync("r1", 0, Metadata(1), Tensors(1));
        await _store.WriteAsync("r1", 0, Metadata(2), Tensors(2));
        await DamageAsync("runs/r1/members/0/checkpoints/000002.safetensors", FlipBit(^3));
        Assert.Equal(1, (await _store.LoadLatestValidAsync("r1", 0, Spec, Model)).Checkpoint!.Metadata.Step);

        Assert.Equal(CheckpointWriteOutcome.ReplacedCorrupt, await _store.WriteAsync("r1", 0, Metadata(2), Tensors(2)));

        var latest = await _store.LoadLatestValidAsync("r1", 0, Spec, Model);
        Assert.Equal(2, latest.Checkpoint!.Metadata.Step);
        Assert.Empty(latest.Rejected);
        Assert.Contains(_logger.Messages, m => m.StartsWith("Replaced corrupt checkpoint runs/r1/members/0/checkpoints/000002.safetensors: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../r2")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("r1\n")]
    public async Task Run_ids_that_could_leave_their_prefix_are_refused_and_nothing_is_written(string runId)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync(runId, 0, Metadata(1), Tensors(1)));

        Assert.StartsWith($"'{runId}' is not a valid run id: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _blobs.ListAsync(string.Empty));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.LoadLatestValidAsync(runId, 0, Spec, Model));
    }

    [Fact]
    public async Task Steps_beyond_six_digits_and_negative_members_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.WriteAsync("r1", 0, Metadata(RunLayout.MaxStep + 1), Tensors(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.WriteAsync("r1", -1, Metadata(1), Tensors(1)));
        Assert.Empty(await _blobs.ListAsync(string.Empty));
    }

    private static RolloutCheckpointMetadata Metadata(int step) => new(step, Spec, Model, "cpu", "float32");

    /// <summary>A small carry: float32 inputs, an int64 rng state, a bfloat16 tensor and a scalar.</summary>
    private static List<KeyValuePair<string, NpyArray>> Tensors(int seed)
    {
        var random = new Random(seed);
        float[] inputs = [.. Enumerable.Range(0, 2 * 3 * 4).Select(_ => (float)random.NextDouble())];
        byte[] bf16 = new byte[2 * 5];
        random.NextBytes(bf16);
        return
        [
            new("carry/inputs", NpyArray.FromFloats(inputs, [2, 3, 4])),
            new("rng/state", NpyArray.FromLongs([random.NextInt64(), random.NextInt64()], [2])),
            new("perturbation/noise", new NpyArray(NpyDtype.BFloat16, [5], bf16)),
            new("step_time", NpyArray.FromFloats([seed * 0.5f], [])),
        ];
    }

    private static Func<byte[], byte[]> FlipBit(Index at) => bytes =>
    {
        bytes[at] ^= 0x01;
        return bytes;
    };

    private async Task DamageAsync(string name, Func<byte[], byte[]> damage)
    {
        byte[] bytes = damage((await _blobs.ReadAsync(name)).Data);
        await _blobs.WriteAsync(name, new MemoryStream(bytes));
    }
}
