using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Testing;
using Request = Azure.Core.Request;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>The Azure store under failure: answers lost after the service acted, and an emulator that stops and comes back.</summary>
public sealed class AzureBlobStoreResilienceTests(PersistentAzuriteFixture azurite) : IClassFixture<PersistentAzuriteFixture>
{
    [Fact]
    public async Task Create_only_write_whose_answer_was_lost_is_retried_and_recognised_as_written()
    {
        var observer = new RequestObserver(request => request.Method == RequestMethod.Put && request.Uri.Path.EndsWith("/chunk.bin", StringComparison.Ordinal), loseFirstAnswer: true);
        var store = await CreateStoreAsync(observer);
        byte[] content = Bytes(seed: 1, length: 10_000);

        Assert.True(await store.TryCreateAsync("chunk.bin", new MemoryStream(content)));

        // The first Put Blob created the blob (201) but its answer was dropped; the SDK's retry met 409 BlobAlreadyExists.
        Assert.Equal([201, 409], observer.Statuses);
        Assert.Equal(content, (await store.ReadAsync("chunk.bin")).Data);
    }

    [Fact]
    public async Task Large_create_only_write_whose_commit_answer_was_lost_is_recognised_as_written()
    {
        var observer = new RequestObserver(request => request.Method == RequestMethod.Put && request.Uri.Query.Contains("comp=blocklist", StringComparison.Ordinal), loseFirstAnswer: true);
        var store = await CreateStoreAsync(observer);
        byte[] content = Bytes(seed: 2, length: AzureBlobStore.SingleUploadLimit + 1);

        Assert.True(await store.TryCreateAsync("large.bin", new MemoryStream(content)));

        Assert.Equal([201, 409], observer.Statuses);
        Assert.Equal(content, (await store.ReadAsync("large.bin")).Data);
    }

    [Fact]
    public async Task Conditional_write_whose_answer_was_lost_returns_the_etag_it_wrote()
    {
        var observer = new RequestObserver(request => request.Method == RequestMethod.Put && request.Headers.TryGetValue("If-Match", out _), loseFirstAnswer: true);
        var store = await CreateStoreAsync(observer);
        string v1 = await store.WriteAsync("run.json", new MemoryStream("v1"u8.ToArray()));

        string v2 = await store.WriteAsync("run.json", new MemoryStream("v2"u8.ToArray()), v1);

        Assert.Equal([201, 412], observer.Statuses);
        var read = await store.ReadAsync("run.json");
        Assert.Equal("v2"u8.ToArray(), read.Data);
        Assert.Equal(v2, read.ETag);
    }

    [Fact]
    public async Task Writes_and_reads_issued_while_the_emulator_is_down_complete_once_it_is_back()
    {
        var writing = new RequestObserver(request => request.Uri.Path.EndsWith("/written-during-outage.bin", StringComparison.Ordinal), loseFirstAnswer: false);
        var reading = new RequestObserver(request => request.Uri.Path.EndsWith("/read-during-outage.bin", StringComparison.Ordinal), loseFirstAnswer: false);
        // Short backoff (the default starts at 0.5 s and grows to 5 s): the test waits less after the restart.
        var store = await CreateStoreAsync([writing, reading], AzureBlobStore.CreateClientOptions(maxRetries: 60, TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(0.5)));
        byte[] written = Bytes(seed: 3, length: 50_000);
        byte[] read = Bytes(seed: 4, length: 50_000);
        Assert.True(await store.TryCreateAsync("read-during-outage.bin", new MemoryStream(read)));

        await azurite.Azurite.StopAsync();
        var write = store.TryCreateAsync("written-during-outage.bin", new MemoryStream(written));
        var download = store.ReadAsync("read-during-outage.bin");
        await Task.WhenAll(writing.FirstFailure, reading.FirstFailure).WaitAsync(TimeSpan.FromSeconds(60));
        await azurite.Azurite.RestartAsync();

        Assert.True(await write);
        Assert.Equal(read, (await download).Data);
        Assert.Equal(written, (await store.ReadAsync("written-during-outage.bin")).Data);
    }

    private Task<AzureBlobStore> CreateStoreAsync(RequestObserver observer) => CreateStoreAsync([observer], AzureBlobStore.CreateClientOptions());

    private async Task<AzureBlobStore> CreateStoreAsync(RequestObserver[] observers, BlobClientOptions options)
    {
        foreach (var observer in observers)
        {
            options.AddPolicy(observer, HttpPipelinePosition.PerRetry);
        }

        var container = new BlobServiceClient(azurite.ConnectionString, options).GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        var store = new AzureBlobStore(container);
        await store.CreateContainerIfMissingAsync();
        return store;
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Records the status of each attempt of the matching requests, signals their first transport failure, and can drop the
    /// answer of the first one after the service has acted on it (as a connection reset after the request would).
    /// </summary>
    private sealed class RequestObserver(Func<Request, bool> matches, bool loseFirstAnswer) : HttpPipelinePolicy
    {
        private readonly ConcurrentQueue<int> _statuses = new();
        private readonly TaskCompletionSource _firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _lost;

        public IReadOnlyList<int> Statuses => [.. _statuses];

        public Task FirstFailure => _firstFailure.Task;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!matches(message.Request))
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                return;
            }

            try
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            catch (Exception)
            {
                _firstFailure.TrySetResult();
                throw;
            }

            _statuses.Enqueue(message.Response.Status);
            if (loseFirstAnswer && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                throw new IOException("Simulated connection reset: the service handled the request but its answer never arrived.");
            }
        }
    }
}
