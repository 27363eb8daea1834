using Azure.Storage.Blobs;
using Xunit;

namespace GraphCast.Testing;

/// <summary>
/// An xunit class or collection fixture that runs one in-memory Azurite for its tests and ends it afterwards.
/// </summary>
/// <remarks>
/// Tests that share the fixture share the storage account: each should work in its own container
/// (<see cref="CreateContainerAsync"/>). For data that must survive an Azurite restart use
/// <see cref="PersistentAzuriteFixture"/>.
/// </remarks>
public class AzuriteFixture : IAsyncLifetime
{
    private readonly AzuritePersistence _persistence;
    private AzuriteProcess? _azurite;

    /// <summary>A fixture whose Azurite keeps its data in memory.</summary>
    public AzuriteFixture()
        : this(AzuritePersistence.InMemory)
    {
    }

    /// <summary>A fixture whose Azurite keeps its data as <paramref name="persistence"/> says.</summary>
    protected AzuriteFixture(AzuritePersistence persistence)
    {
        _persistence = persistence;
    }

    /// <summary>The running emulator (to stop, restart or kill it).</summary>
    public AzuriteProcess Azurite => _azurite
        ?? throw new InvalidOperationException(
            "Azurite is not started yet: xunit starts it in InitializeAsync, before the first test of the fixture.");

    /// <summary>A connection string for the emulator, with explicit endpoints.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <summary>A blob service client for the emulator.</summary>
    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) =>
        Azurite.CreateBlobServiceClient(options);

    /// <summary>Creates a container with a fresh unique name, so tests sharing the fixture never collide.</summary>
    public async Task<BlobContainerClient> CreateContainerAsync(CancellationToken cancellationToken = default)
    {
        var container = CreateBlobServiceClient().GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return container;
    }

    /// <inheritdoc />
    public async Task InitializeAsync() =>
        _azurite = await AzuriteProcess.StartAsync(_persistence).ConfigureAwait(false);

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        _azurite?.Dispose();
        return Task.CompletedTask;
    }
}
