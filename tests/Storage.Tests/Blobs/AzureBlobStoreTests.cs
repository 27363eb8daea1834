using GraphCast.Formats.Npy;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Testing;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>The blob store contract on Azure Blob Storage, as emulated by Azurite (one fresh container per test).</summary>
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContractTests, IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Blobs_written_by_another_tool_have_no_recorded_hash_and_are_compared_by_content()
    {
        var (store, container) = await CreateAsync();
        byte[] content = Bytes(seed: 9, length: 3000);
        await container.GetBlobClient("foreign.bin").UploadAsync(BinaryData.FromBytes(content));

        Assert.Null((await store.GetPropertiesAsync("foreign.bin"))!.ContentSha256);
        Assert.True(await store.TryCreateAsync("foreign.bin", Stream(content)));
        Assert.False(await store.TryCreateAsync("foreign.bin", Stream(Bytes(seed: 10, length: 3000))));
    }

    [Fact]
    public async Task Reading_a_blob_whose_content_no_longer_matches_its_recorded_hash_reports_corruption()
    {
        var (store, container) = await CreateAsync();
        var blob = container.GetBlobClient("checkpoints/000001.safetensors");
        await blob.UploadAsync(
            BinaryData.FromBytes(Bytes(seed: 11, length: 100)),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { [AzureBlobStore.Sha256MetadataKey] = Sha256(Bytes(seed: 12, length: 100)) } });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync("checkpoints/000001.safetensors"));

        Assert.StartsWith("Blob 'checkpoints/000001.safetensors' in the blob container ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("is corrupt.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_of_several_blocks_streams_to_and_from_the_container_and_a_cut_one_is_corrupt()
    {
        var (store, container) = await CreateAsync();
        var checkpoints = new RolloutCheckpointStore(store);
        var metadata = new RolloutCheckpointMetadata(1, "spec", "model", "cpu", "float32");
        byte[] data = Bytes(seed: 13, length: (2 * AzureBlobStore.BlockSize) + 1000);
        var tensors = new List<KeyValuePair<string, NpyArray>> { new("carry/inputs", new NpyArray(NpyDtype.Float32, [data.Length / 4], data)) };

        Assert.Equal(CheckpointWriteOutcome.Written, await checkpoints.WriteAsync("r1", 0, metadata, tensors));
        Assert.Equal(data, (await checkpoints.LoadAsync("r1", 0, 1)).Tensors["carry/inputs"].Data);

        // Cut by another tool (no recorded hash): the streamed read finds it short, with no whole-blob hash to lean on.
        string name = RunLayout.Checkpoint("r1", 0, 1);
        byte[] stored = (await store.ReadAsync(name)).Data;
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(stored[..^5000]), overwrite: true);
        var cut = await Assert.ThrowsAsync<CorruptCheckpointException>(() => checkpoints.LoadAsync("r1", 0, 1));
        Assert.EndsWith($"are out of range; the data region holds {data.Length - 5000} bytes.", cut.Reason, StringComparison.Ordinal);

        // One flipped bit in the data, same length: the content SHA-256 in the header is the check.
        stored[^1] ^= 1;
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(stored), overwrite: true);
        var flipped = await Assert.ThrowsAsync<CorruptCheckpointException>(() => checkpoints.LoadAsync("r1", 0, 1));
        Assert.StartsWith("its content SHA-256 is ", flipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_deleted_or_replaced_during_a_streamed_read_fails_with_its_name_and_read_it_again()
    {
        var (store, container) = await CreateAsync();
        // Larger than the read stream's 4 MiB buffer, so the rest is fetched (with If-Match) after the first read.
        byte[] data = Bytes(seed: 5, length: (9 << 20) + 17);
        var buffer = new byte[1 << 16];

        using (var source = new MemoryStream(data))
        {
            Assert.True(await store.TryCreateAsync("gone", source));
        }

        await using (var reading = await store.OpenReadAsync("gone"))
        {
            await reading.ReadExactlyAsync(buffer);
            await container.GetBlobClient("gone").DeleteAsync();
            // The next range's If-Match fails (412), as for a replacement.
            var gone = await Assert.ThrowsAsync<IOException>(async () => await ReadToEndAsync(reading, buffer));
            Assert.Equal($"Blob 'gone' in {store.Location} was deleted or replaced while being read; read it again.", gone.Message);
        }

        using (var source = new MemoryStream(data))
        {
            Assert.True(await store.TryCreateAsync("replaced", source));
        }

        await using (var reading = await store.OpenReadAsync("replaced"))
        {
            await reading.ReadExactlyAsync(buffer);
            await container.GetBlobClient("replaced").UploadAsync(BinaryData.FromBytes(data[..^1]), overwrite: true);
            var replaced = await Assert.ThrowsAsync<IOException>(async () => await ReadToEndAsync(reading, buffer));
            Assert.Equal($"Blob 'replaced' in {store.Location} was deleted or replaced while being read; read it again.", replaced.Message);
        }
    }

    private static async Task ReadToEndAsync(Stream stream, byte[] buffer)
    {
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    protected override async Task<IBlobStore> CreateStoreAsync() => (await CreateAsync()).Store;

    private async Task<(AzureBlobStore Store, Azure.Storage.Blobs.BlobContainerClient Container)> CreateAsync()
    {
        var container = azurite.CreateBlobServiceClient(AzureBlobStore.CreateClientOptions())
            .GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        var store = new AzureBlobStore(container);
        await store.CreateContainerIfMissingAsync();
        return (store, container);
    }
}
