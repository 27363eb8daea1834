using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>The blob store contract on a local folder, plus what only a folder has: files at the blob names, no staging leftovers.</summary>
public sealed class LocalDirectoryBlobStoreTests : BlobStoreContractTests, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-blobs-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Blobs_are_files_at_their_names_under_the_root_and_staging_files_do_not_stay()
    {
        var store = new LocalDirectoryBlobStore(_root.FullName);

        Assert.True(await store.TryCreateAsync("runs/r1/forecast.zarr/.zgroup", Text("{}")));
        await store.WriteAsync("runs/r1/run.json", Text("v1"));
        Assert.False(await store.TryCreateAsync("runs/r1/forecast.zarr/.zgroup", Text("{ }")));

        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(_root.FullName, "runs", "r1", "forecast.zarr", ".zgroup")));
        Assert.Equal(Path.Combine(_root.FullName, "runs", "r1", "run.json"), store.PathOf("runs/r1/run.json"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root.FullName, ".graphcast", "staging")));
        Assert.Equal(["runs/r1/forecast.zarr/.zgroup", "runs/r1/run.json"], (await store.ListAsync(string.Empty)).Select(e => e.Name));
    }

    [Fact]
    public async Task Two_stores_on_one_folder_see_each_others_writes_and_conditions()
    {
        var first = new LocalDirectoryBlobStore(_root.FullName);
        var second = new LocalDirectoryBlobStore(Path.Combine(_root.FullName, "."));
        string v1 = await first.WriteAsync("run.json", Text("v1"));
        await second.WriteAsync("run.json", Text("v2"), v1);

        await Assert.ThrowsAsync<BlobETagMismatchException>(() => first.WriteAsync("run.json", Text("v3"), v1));
    }

    [Fact]
    public async Task A_blob_cannot_share_its_name_with_a_folder_of_blobs()
    {
        var store = new LocalDirectoryBlobStore(_root.FullName);
        Assert.True(await store.TryCreateAsync("runs/r1", Text("a blob")));
        Assert.True(await store.TryCreateAsync("runs/r2/run.json", Text("{}")));

        var underBlob = await Assert.ThrowsAsync<IOException>(() => store.TryCreateAsync("runs/r1/run.json", Text("{}")));
        var overFolder = await Assert.ThrowsAsync<IOException>(() => store.TryCreateAsync("runs/r2", Text("{}")));

        Assert.Contains("'runs/r1/run.json'", underBlob.Message, StringComparison.Ordinal);
        Assert.Contains("'runs/r1' is a blob", underBlob.Message, StringComparison.Ordinal);
        Assert.Contains("'runs/r2'", overFolder.Message, StringComparison.Ordinal);
        Assert.False(await store.ExistsAsync("runs/r2"));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.ReadAsync("runs/r2"));
    }

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new LocalDirectoryBlobStore(Path.Combine(_root.FullName, "store")));
}
