using GraphCast.Orleans.Grains.Storage;
using GraphCast.Testing;

namespace GraphCast.Orleans.Grains.Tests.Storage;

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
