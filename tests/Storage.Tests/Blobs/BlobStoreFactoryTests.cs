using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Testing;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>Storage options: validation messages that name the setting, secrets kept out of text, and the store each option opens.</summary>
public sealed class BlobStoreFactoryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void Options_without_a_backend_or_with_two_name_all_three_settings()
    {
        string expected = "Set exactly one of Storage:LocalDirectory, Storage:ConnectionString and Storage:ServiceUri";

        Assert.StartsWith(expected + " (found 0).", Assert.Single(new BlobStoreOptions().Validate()), StringComparison.Ordinal);
        Assert.StartsWith(
            expected + " (found 2).",
            Assert.Single(new BlobStoreOptions { LocalDirectory = "/tmp/x", ServiceUri = new Uri("https://a.blob.core.windows.net") }.Validate()),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_container_endpoint_and_retry_settings_are_each_reported()
    {
        var options = new BlobStoreOptions
        {
            ServiceUri = new Uri("https://a.blob.core.windows.net/?sv=2024&sig=secret"),
            Container = "Runs_2024",
            MaxRetries = -1,
            RetryDelay = TimeSpan.FromSeconds(10),
        };

        var problems = options.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Storage:ServiceUri 'https://a.blob.core.windows.net/' must be", StringComparison.Ordinal) && !p.Contains("secret", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Storage:Container 'Runs_2024' is not a valid container name", StringComparison.Ordinal));
        Assert.Contains("Storage:MaxRetries is -1; it must be 0 or more.", problems);
        Assert.Contains(problems, p => p.StartsWith("Storage:RetryDelay (00:00:10) must be positive and at most Storage:MaxRetryDelay (00:00:05)", StringComparison.Ordinal));
        var result = new BlobStoreOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(problems, result.Failures);
    }

    [Fact]
    public void Options_text_never_shows_the_connection_string()
    {
        var options = new BlobStoreOptions { ConnectionString = azurite.ConnectionString, Container = "runs" };

        Assert.Equal("container 'runs' by connection string (hidden)", options.ToString());
        Assert.Empty(options.Validate());
    }

    [Fact]
    public async Task Local_directory_option_opens_a_folder_store_and_logs_where()
    {
        var root = Directory.CreateTempSubdirectory("graphcast-factory-");
        try
        {
            var logger = new RecordingLogger<BlobStoreFactoryTests>();
            string folder = Path.Combine(root.FullName, "store");

            var store = await BlobStoreFactory.CreateAsync(new BlobStoreOptions { LocalDirectory = folder }, logger);

            Assert.Equal(folder, Assert.IsType<LocalDirectoryBlobStore>(store).Root);
            Assert.True(Directory.Exists(folder));
            Assert.Equal([$"Blob store opened: the local folder '{folder}'"], logger.Messages.ToList());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Connection_string_option_opens_and_creates_the_container_without_logging_the_key()
    {
        var logger = new RecordingLogger<BlobStoreFactoryTests>();
        string container = $"factory-{Guid.NewGuid():N}";

        var store = await BlobStoreFactory.CreateAsync(new BlobStoreOptions { ConnectionString = azurite.ConnectionString, Container = container }, logger);

        Assert.IsType<AzureBlobStore>(store);
        Assert.True((await azurite.CreateBlobServiceClient().GetBlobContainerClient(container).ExistsAsync()).Value);
        Assert.True(await store.TryCreateAsync("runs/r1/run.json", new MemoryStream("{}"u8.ToArray())));
        Assert.Equal(
            [$"Blob store opened: the blob container '{container}' at {azurite.Azurite.BlobEndpoint}/{container}"],
            logger.Messages.ToList());
        Assert.DoesNotContain(AzuriteProcess.AccountKey, store.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_storage_endpoint_that_is_down_at_start_is_named_with_the_fix_and_without_the_key()
    {
        // A loopback port nothing listens on: connection refused at once.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var e = await Assert.ThrowsAsync<IOException>(() => BlobStoreFactory.CreateAsync(new BlobStoreOptions { ConnectionString = connection, MaxRetries = 0 }));
        Assert.StartsWith($"Storage (the blob container 'graphcast' at http://127.0.0.1:{port}/devstoreaccount1/graphcast) did not answer (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("or fix Storage:ConnectionString / Storage:ServiceUri.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteProcess.AccountKey, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_open_nothing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BlobStoreFactory.CreateAsync(new BlobStoreOptions()));

        Assert.StartsWith("Invalid storage options: Set exactly one of", error.Message, StringComparison.Ordinal);
    }
}
