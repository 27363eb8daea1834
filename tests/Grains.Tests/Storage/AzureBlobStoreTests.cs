using GraphCast.Orleans.Grains.Storage;
using GraphCast.Testing;

namespace GraphCast.Orleans.Grains.Tests.Storage;

/// <summary>The blob store contract on Azure Blob Storage, as emulated by Azurite (one fresh container per test).</summary>
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContractTests, IClassFixture<AzuriteFixture>
{
    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var container = azurite.CreateBlobServiceClient(AzureBlobStore.CreateClientOptions())
            .GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        var store = new AzureBlobStore(container);
        await store.CreateContainerIfMissingAsync();
        return store;
    }
}
