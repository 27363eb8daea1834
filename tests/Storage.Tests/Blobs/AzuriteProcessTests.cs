using System.Net;
using System.Net.Sockets;
using GraphCast.Testing;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>The Azurite test process: stop and restart on the same ports and data, clean disposal, install errors.</summary>
public sealed class AzuriteProcessTests(PersistentAzuriteFixture azurite) : IClassFixture<PersistentAzuriteFixture>
{
    [Fact]
    public async Task Disk_store_keeps_its_blobs_across_stop_and_restart_on_the_same_ports()
    {
        var container = await azurite.CreateContainerAsync();
        var content = BinaryData.FromString("step 7 of member 2");
        await container.GetBlobClient("checkpoints/7.bin").UploadAsync(content);
        var connectionString = azurite.ConnectionString;
        var blobPort = azurite.Azurite.BlobPort;

        await azurite.Azurite.StopAsync();

        Assert.False(azurite.Azurite.IsRunning);
        await AssertRefusesConnectionsAsync(blobPort);

        await azurite.Azurite.RestartAsync();

        Assert.True(azurite.Azurite.IsRunning);
        Assert.Equal(connectionString, azurite.ConnectionString);
        var restored = await azurite.CreateBlobServiceClient()
            .GetBlobContainerClient(container.Name)
            .GetBlobClient("checkpoints/7.bin")
            .DownloadContentAsync();
        Assert.Equal(content.ToArray(), restored.Value.Content.ToArray());
    }

    [Fact]
    public async Task In_memory_store_restarts_empty_on_the_same_ports()
    {
        using var memory = await AzuriteProcess.StartAsync(AzuritePersistence.InMemory);
        var container = memory.CreateBlobServiceClient().GetBlobContainerClient("before-restart");
        await container.CreateAsync();
        var ports = (memory.BlobPort, memory.QueuePort, memory.TablePort);

        await memory.RestartAsync();

        Assert.Equal(ports, (memory.BlobPort, memory.QueuePort, memory.TablePort));
        Assert.False((await container.ExistsAsync()).Value);
    }

    [Fact]
    public async Task Restart_retries_until_a_port_held_by_another_process_is_free()
    {
        using var memory = await AzuriteProcess.StartAsync(AzuritePersistence.InMemory);
        var blobPort = memory.BlobPort;
        await memory.StopAsync();

        var squatter = new TcpListener(IPAddress.Loopback, blobPort);
        squatter.Start();
        Task restart;
        try
        {
            restart = memory.RestartAsync();
            await WaitUntilAsync(
                () => memory.RecentOutput.Contains("EADDRINUSE", StringComparison.Ordinal),
                "Azurite reporting that its blob port is in use");
        }
        finally
        {
            squatter.Stop();
        }

        await restart;

        Assert.True(memory.IsRunning);
        Assert.Equal(blobPort, memory.BlobPort);
        Assert.False((await memory.CreateBlobServiceClient().GetBlobContainerClient("after-retry").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Dispose_ends_azurite_and_deletes_its_data_folder()
    {
        var disk = await AzuriteProcess.StartAsync(AzuritePersistence.Disk);
        var dataDirectory = disk.DataDirectory;
        Assert.NotNull(dataDirectory);
        Assert.True(Directory.Exists(dataDirectory));

        disk.Dispose();

        Assert.False(disk.IsRunning);
        Assert.False(Directory.Exists(dataDirectory));
        await AssertRefusesConnectionsAsync(disk.BlobPort);
    }

    [Fact]
    public void Missing_install_is_reported_with_the_npm_command_that_fixes_it()
    {
        var emptyCheckout = Directory.CreateTempSubdirectory("graphcast-no-node-modules-");
        try
        {
            var error = Assert.Throws<FileNotFoundException>(() => AzuriteProcess.FindExecutable(emptyCheckout.FullName));

            Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
            Assert.Equal(Path.Combine(emptyCheckout.FullName, "node_modules", ".bin", "azurite"), error.FileName);
        }
        finally
        {
            emptyCheckout.Delete(recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string awaited)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after 60 s waiting for {awaited}.");
            }
        }
    }

    private static async Task AssertRefusesConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
