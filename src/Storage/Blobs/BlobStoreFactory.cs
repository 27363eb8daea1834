using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>Opens the <see cref="IBlobStore"/> that <see cref="BlobStoreOptions"/> describe: a local folder, or an Azure container by connection string or by endpoint and Entra ID credential.</summary>
public static class BlobStoreFactory
{
    /// <summary>
    /// Opens the store, creating the local folder or the container if missing, and logs where it is (never a secret).
    /// </summary>
    /// <param name="credential">For <see cref="BlobStoreOptions.ServiceUri"/>; <c>DefaultAzureCredential</c> when null.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static async Task<IBlobStore> CreateAsync(
        BlobStoreOptions options, ILogger? logger = null, TokenCredential? credential = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid storage options: {string.Join(" ", problems)}", nameof(options));
        }

        IBlobStore store;
        if (options.LocalDirectory is { } directory)
        {
            store = new LocalDirectoryBlobStore(directory);
        }
        else
        {
            var clientOptions = AzureBlobStore.CreateClientOptions(options.MaxRetries, options.RetryDelay, options.MaxRetryDelay);
            var service = options.ConnectionString is { } connectionString
                ? new BlobServiceClient(connectionString, clientOptions)
                : new BlobServiceClient(options.ServiceUri, credential ?? new DefaultAzureCredential(), clientOptions);
            var azure = new AzureBlobStore(service.GetBlobContainerClient(options.Container));
            try
            {
                await azure.CreateContainerIfMissingAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Azure.RequestFailedException { Status: 0 or >= 500 } or AggregateException or HttpRequestException)
            {
                // Down at start: say so plainly, without the connection string (it may hold a key).
                throw new IOException(
                    $"Storage ({azure.Location}) did not answer ({e.GetBaseException().Message}). Start it (a local cluster's Azurite starts with " +
                    "'graphcast cluster up'), or fix Storage:ConnectionString / Storage:ServiceUri.", e);
            }
            store = azure;
        }

        if (logger is not null)
        {
            StorageLog.StoreOpened(logger, store.Location);
        }

        return store;
    }
}
