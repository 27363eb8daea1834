using System.Security.Cryptography;
using System.Text;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>The <see cref="IBlobStore"/> contract: every backend runs these tests (local folder, Azurite).</summary>
public abstract class BlobStoreContractTests
{
    // Over AzureBlobStore.SingleUploadLimit and not a multiple of its block size: staged blocks, a short last block.
    private const int LargeLength = (9 * 1024 * 1024) + 3;

    public static TheoryData<string> InvalidNames => new()
    {
        string.Empty,
        "/runs/r1/run.json",
        "runs/../secrets",
        "..",
        "runs/./r1",
        "runs//r1",
        "runs\\r1",
        "runs/r1/",
        "runs/r\u0001/run.json",
        ".graphcast/staging/x.tmp",
    };

    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    [Fact]
    public async Task Created_blob_reads_back_whole_with_its_size_hash_and_etag()
    {
        var store = await CreateStoreAsync();
        byte[] content = Bytes(seed: 1, length: 300_000);

        Assert.True(await store.TryCreateAsync("runs/r1/members/0/a.bin", Stream(content)));

        Assert.True(await store.ExistsAsync("runs/r1/members/0/a.bin"));
        var read = await store.ReadAsync("runs/r1/members/0/a.bin");
        Assert.Equal(content, read.Data);
        var properties = await store.GetPropertiesAsync("runs/r1/members/0/a.bin");
        Assert.NotNull(properties);
        Assert.Equal("runs/r1/members/0/a.bin", properties.Name);
        Assert.Equal(300_000, properties.Length);
        Assert.Equal(Sha256(content), properties.ContentSha256);
        Assert.Equal(read.ETag, properties.ETag);
        await using var stream = await store.OpenReadAsync("runs/r1/members/0/a.bin");
        Assert.Equal(content, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task Empty_blob_is_a_blob_of_zero_bytes()
    {
        var store = await CreateStoreAsync();

        Assert.True(await store.TryCreateAsync("empty", Stream([])));

        Assert.Empty((await store.ReadAsync("empty")).Data);
        Assert.Equal([new BlobEntry("empty", 0)], await store.ListAsync(string.Empty));
    }

    [Fact]
    public async Task Missing_blob_does_not_exist_and_reading_it_names_it()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.ExistsAsync("runs/r1/run.json"));
        Assert.Null(await store.GetPropertiesAsync("runs/r1/run.json"));
        var read = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.ReadAsync("runs/r1/run.json"));
        Assert.Equal("runs/r1/run.json", read.BlobName);
        Assert.Contains("'runs/r1/run.json'", read.Message, StringComparison.Ordinal);
        var open = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("runs/r1/run.json"));
        Assert.Equal("runs/r1/run.json", open.BlobName);
        Assert.False(await store.DeleteAsync("runs/r1/run.json"));
    }

    [Fact]
    public async Task Create_only_write_refuses_other_content_and_keeps_the_first()
    {
        var store = await CreateStoreAsync();
        byte[] first = Bytes(seed: 2, length: 1000);
        byte[] second = Bytes(seed: 3, length: 1000);

        Assert.True(await store.TryCreateAsync("checkpoints/000001.safetensors", Stream(first)));
        Assert.False(await store.TryCreateAsync("checkpoints/000001.safetensors", Stream(second)));
        Assert.False(await store.TryCreateAsync("checkpoints/000001.safetensors", Stream(first[..999])));

        Assert.Equal(first, (await store.ReadAsync("checkpoints/000001.safetensors")).Data);
    }

    [Fact]
    public async Task Create_only_write_of_the_same_content_again_succeeds_as_an_idempotent_retry()
    {
        var store = await CreateStoreAsync();
        byte[] content = Bytes(seed: 4, length: 5000);
        Assert.True(await store.TryCreateAsync("forecast.zarr/t/0.0.0.0", Stream(content)));
        string etag = (await store.GetPropertiesAsync("forecast.zarr/t/0.0.0.0"))!.ETag;

        Assert.True(await store.TryCreateAsync("forecast.zarr/t/0.0.0.0", Stream(content)));

        Assert.Equal(etag, (await store.GetPropertiesAsync("forecast.zarr/t/0.0.0.0"))!.ETag);
    }

    [Fact]
    public async Task Create_only_writes_racing_for_one_name_have_exactly_one_winner_whose_content_is_stored()
    {
        var store = await CreateStoreAsync();
        byte[][] contents = [.. Enumerable.Range(0, 8).Select(i => Bytes(seed: 100 + i, length: 64 * 1024))];

        bool[] created = await RaceAsync(contents.Length, i => store.TryCreateAsync("race/blob.bin", Stream(contents[i])));

        int winner = Assert.Single(Enumerable.Range(0, contents.Length), i => created[i]);
        Assert.Equal(contents[winner], (await store.ReadAsync("race/blob.bin")).Data);
    }

    [Fact]
    public async Task Large_create_only_writes_racing_for_one_name_never_mix_their_blocks()
    {
        var store = await CreateStoreAsync();
        byte[][] contents = [.. Enumerable.Range(0, 3).Select(i => Bytes(seed: 200 + i, length: LargeLength))];

        bool[] created = await RaceAsync(contents.Length, i => store.TryCreateAsync("race/large.bin", Stream(contents[i])));

        int winner = Assert.Single(Enumerable.Range(0, contents.Length), i => created[i]);
        Assert.Equal(Sha256(contents[winner]), Sha256((await store.ReadAsync("race/large.bin")).Data));
    }

    [Fact]
    public async Task Large_blob_round_trips_through_create_overwrite_and_stream()
    {
        var store = await CreateStoreAsync();
        byte[] first = Bytes(seed: 5, length: LargeLength);
        byte[] second = Bytes(seed: 6, length: LargeLength - 1000);

        Assert.True(await store.TryCreateAsync("large.bin", Stream(first)));
        Assert.True(await store.TryCreateAsync("large.bin", Stream(first)));
        Assert.False(await store.TryCreateAsync("large.bin", Stream(second)));
        var read = await store.ReadAsync("large.bin");
        Assert.Equal(Sha256(first), Sha256(read.Data));
        string etag = await store.WriteAsync("large.bin", Stream(second), read.ETag);

        var properties = await store.GetPropertiesAsync("large.bin");
        Assert.Equal((long)second.Length, properties!.Length);
        Assert.Equal(etag, properties.ETag);
        Assert.Equal(Sha256(second), properties.ContentSha256);
        await using var stream = await store.OpenReadAsync("large.bin");
        Assert.Equal(Sha256(second), Sha256(await ReadAllAsync(stream)));
    }

    [Fact]
    public async Task Content_is_read_from_the_stream_position_to_its_end()
    {
        var store = await CreateStoreAsync();
        var stream = Stream(Encoding.UTF8.GetBytes("header|payload"));
        stream.Position = 7;

        Assert.True(await store.TryCreateAsync("tail", stream));

        Assert.Equal("payload", Encoding.UTF8.GetString((await store.ReadAsync("tail")).Data));
    }

    [Fact]
    public async Task Unconditional_write_creates_then_replaces_and_the_etag_follows_the_content()
    {
        var store = await CreateStoreAsync();

        string first = await store.WriteAsync("runs/r1/run.json", Text("{\"status\":\"created\"}"));
        Assert.Equal(first, (await store.ReadAsync("runs/r1/run.json")).ETag);
        string second = await store.WriteAsync("runs/r1/run.json", Text("{\"status\":\"running\"}"));

        Assert.NotEqual(first, second);
        var read = await store.ReadAsync("runs/r1/run.json");
        Assert.Equal("{\"status\":\"running\"}", Encoding.UTF8.GetString(read.Data));
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task Conditional_write_with_the_current_etag_replaces_the_blob()
    {
        var store = await CreateStoreAsync();
        Assert.True(await store.TryCreateAsync("runs/r1/run.json", Text("v1")));
        var v1 = await store.ReadAsync("runs/r1/run.json");

        string v2 = await store.WriteAsync("runs/r1/run.json", Text("v2"), v1.ETag);
        string v3 = await store.WriteAsync("runs/r1/run.json", Text("v3"), v2);

        var read = await store.ReadAsync("runs/r1/run.json");
        Assert.Equal("v3", Encoding.UTF8.GetString(read.Data));
        Assert.Equal(v3, read.ETag);
        Assert.Equal(3, new HashSet<string> { v1.ETag, v2, v3 }.Count);
    }

    [Fact]
    public async Task Conditional_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        string v1 = await store.WriteAsync("runs/r1/run.json", Text("v1"));
        string v2 = await store.WriteAsync("runs/r1/run.json", Text("v2"), v1);

        var stale = await Assert.ThrowsAsync<BlobETagMismatchException>(
            () => store.WriteAsync("runs/r1/run.json", Text("v3 from a stale reader"), v1));

        Assert.Equal("runs/r1/run.json", stale.BlobName);
        Assert.Equal(v1, stale.ExpectedETag);
        Assert.Equal(v2, stale.CurrentETag);
        Assert.Contains("'runs/r1/run.json'", stale.Message, StringComparison.Ordinal);
        Assert.Equal("v2", Encoding.UTF8.GetString((await store.ReadAsync("runs/r1/run.json")).Data));
    }

    [Fact]
    public async Task Conditional_write_of_a_deleted_blob_is_refused_and_does_not_recreate_it()
    {
        var store = await CreateStoreAsync();
        string v1 = await store.WriteAsync("runs/r1/run.json", Text("v1"));
        Assert.True(await store.DeleteAsync("runs/r1/run.json"));

        var stale = await Assert.ThrowsAsync<BlobETagMismatchException>(() => store.WriteAsync("runs/r1/run.json", Text("v2"), v1));

        Assert.Null(stale.CurrentETag);
        Assert.False(await store.ExistsAsync("runs/r1/run.json"));
    }

    [Fact]
    public async Task Conditional_write_with_a_stale_etag_succeeds_when_the_blob_already_holds_that_content()
    {
        // What a retried write finds when its first attempt landed but the answer was lost.
        var store = await CreateStoreAsync();
        string v1 = await store.WriteAsync("runs/r1/run.json", Text("v1"));
        string v2 = await store.WriteAsync("runs/r1/run.json", Text("v2"), v1);

        string again = await store.WriteAsync("runs/r1/run.json", Text("v2"), v1);

        Assert.Equal(v2, again);
        Assert.Equal(v2, (await store.ReadAsync("runs/r1/run.json")).ETag);
    }

    [Fact]
    public async Task Conditional_writers_racing_from_one_version_have_exactly_one_winner()
    {
        var store = await CreateStoreAsync();
        string v1 = await store.WriteAsync("runs/r1/run.json", Text("v1"));

        var outcomes = await RaceAsync(6, async i =>
        {
            try
            {
                await store.WriteAsync("runs/r1/run.json", Text($"writer {i}"), v1);
                return true;
            }
            catch (BlobETagMismatchException)
            {
                return false;
            }
        });

        int winner = Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i]);
        Assert.Equal($"writer {winner}", Encoding.UTF8.GetString((await store.ReadAsync("runs/r1/run.json")).Data));
    }

    [Fact]
    public async Task Listing_returns_names_and_sizes_under_a_prefix_in_ordinal_order()
    {
        var store = await CreateStoreAsync();
        string[] names =
        [
            "runs/b/run.json", "runs/a/members/10/x", "runs/a/members/2/x", "runs/a/forecast.zarr/.zmetadata",
            "runs/a/forecast.zarr/t/.zarray", "runs/a/forecast.zarr/t/0.0.0.0", "runs/ab/run.json", "runs/a/run.json",
            "models/demo/abc.npz", "runs/a/Z",
        ];
        for (int i = 0; i < names.Length; i++)
        {
            Assert.True(await store.TryCreateAsync(names[i], Stream(Bytes(seed: i, length: i + 1))));
        }

        var underA = await store.ListAsync("runs/a/");

        Assert.Equal(
            [
                new BlobEntry("runs/a/Z", 10),
                new BlobEntry("runs/a/forecast.zarr/.zmetadata", 4),
                new BlobEntry("runs/a/forecast.zarr/t/.zarray", 5),
                new BlobEntry("runs/a/forecast.zarr/t/0.0.0.0", 6),
                new BlobEntry("runs/a/members/10/x", 2),
                new BlobEntry("runs/a/members/2/x", 3),
                new BlobEntry("runs/a/run.json", 8),
            ],
            underA);
        Assert.Equal(
            ["runs/a/Z", "runs/a/forecast.zarr/.zmetadata", "runs/a/forecast.zarr/t/.zarray", "runs/a/forecast.zarr/t/0.0.0.0",
             "runs/a/members/10/x", "runs/a/members/2/x", "runs/a/run.json", "runs/ab/run.json"],
            (await store.ListAsync("runs/a")).Select(e => e.Name));
        Assert.Equal([.. names.Order(StringComparer.Ordinal)], (await store.ListAsync(string.Empty)).Select(e => e.Name));
        Assert.Equal(["runs/a/members/10/x"], (await store.ListAsync("runs/a/members/1")).Select(e => e.Name));
        Assert.Empty(await store.ListAsync("runs/c/"));
        Assert.Empty(await store.ListAsync("nothing/here/"));
    }

    [Fact]
    public async Task Deleted_blob_is_gone_from_reads_and_listings()
    {
        var store = await CreateStoreAsync();
        Assert.True(await store.TryCreateAsync("runs/r1/a", Text("a")));
        Assert.True(await store.TryCreateAsync("runs/r1/b", Text("b")));

        Assert.True(await store.DeleteAsync("runs/r1/a"));

        Assert.False(await store.DeleteAsync("runs/r1/a"));
        Assert.False(await store.ExistsAsync("runs/r1/a"));
        Assert.Equal([new BlobEntry("runs/r1/b", 1)], await store.ListAsync("runs/r1/"));
        Assert.True(await store.TryCreateAsync("runs/r1/a", Text("new a")));
        Assert.Equal("new a", Encoding.UTF8.GetString((await store.ReadAsync("runs/r1/a")).Data));
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Invalid_names_are_refused_by_every_operation_with_a_message_quoting_them(string name)
    {
        var store = await CreateStoreAsync();
        string quoted = $"'{name.Replace("\u0001", "\\u0001", StringComparison.Ordinal)}'";

        foreach (var operation in new Func<Task>[]
        {
            () => store.TryCreateAsync(name, Text("x")),
            () => store.WriteAsync(name, Text("x")),
            () => store.WriteAsync(name, Text("x"), "\"etag\""),
            () => store.ReadAsync(name),
            () => store.OpenReadAsync(name),
            () => store.ExistsAsync(name),
            () => store.GetPropertiesAsync(name),
            () => store.DeleteAsync(name),
        })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(operation);
            Assert.StartsWith($"{quoted} is not a valid blob name: ", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await store.ListAsync(string.Empty));
    }

    [Theory]
    [InlineData("/runs")]
    [InlineData("runs/../")]
    [InlineData("runs//")]
    [InlineData("runs\\")]
    public async Task Invalid_listing_prefixes_are_refused(string prefix)
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync(prefix));

        Assert.StartsWith($"'{prefix}' is not a valid blob name prefix: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_streams_that_cannot_seek_are_refused_before_anything_is_written()
    {
        var store = await CreateStoreAsync();
        var oneWay = new ForwardOnlyStream(Encoding.UTF8.GetBytes("x"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.TryCreateAsync("a", oneWay));

        Assert.Equal("content", error.ParamName);
        Assert.False(await store.ExistsAsync("a"));
    }

    protected static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static MemoryStream Stream(byte[] content) => new(content, writable: false);

    protected static MemoryStream Text(string text) => Stream(Encoding.UTF8.GetBytes(text));

    protected static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Runs <paramref name="count"/> operations on thread-pool threads, released together.</summary>
    protected static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> operation)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await operation(i);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }

    /// <summary>A readable stream that cannot seek, like a network or decompression stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
