using Azure;
using Azure.Storage.Blobs.Models;
using GraphCast.Testing;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>Azure.Storage.Blobs against the Azurite fixture: the blob semantics the checkpoint and output stores rely on.</summary>
public sealed class AzuriteBlobTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Uploaded_blobs_download_as_the_same_bytes_and_list_under_their_prefix()
    {
        var container = await azurite.CreateContainerAsync();
        var first = Bytes(seed: 1, length: 300_000);
        var second = Bytes(seed: 2, length: 17);

        await container.GetBlobClient("members/0/one.bin").UploadAsync(BinaryData.FromBytes(first));
        await container.GetBlobClient("members/0/two.bin").UploadAsync(BinaryData.FromBytes(second));
        await container.GetBlobClient("run.json").UploadAsync(BinaryData.FromString("{}"));

        var downloaded = await container.GetBlobClient("members/0/one.bin").DownloadContentAsync();
        Assert.Equal(first, downloaded.Value.Content.ToArray());

        var listed = new List<(string Name, long? Length)>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "members/0/", default))
        {
            listed.Add((item.Name, item.Properties.ContentLength));
        }

        Assert.Equal([("members/0/one.bin", 300_000L), ("members/0/two.bin", 17L)], listed);
    }

    [Fact]
    public async Task Create_only_write_succeeds_once_and_a_second_attempt_gets_409_leaving_the_first_content()
    {
        var container = await azurite.CreateContainerAsync();
        var blob = container.GetBlobClient("checkpoints/3.safetensors");
        var createOnly = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
        var first = Bytes(seed: 3, length: 4096);
        var second = Bytes(seed: 4, length: 4096);

        await blob.UploadAsync(BinaryData.FromBytes(first), createOnly);
        var conflict = await Assert.ThrowsAsync<RequestFailedException>(
            () => blob.UploadAsync(BinaryData.FromBytes(second), createOnly));

        Assert.Equal(409, conflict.Status);
        Assert.Equal(BlobErrorCode.BlobAlreadyExists.ToString(), conflict.ErrorCode);
        var stored = await blob.DownloadContentAsync();
        Assert.Equal(first, stored.Value.Content.ToArray());
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
