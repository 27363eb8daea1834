using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>A forecast store file (metadata or chunk) already exists with other bytes than the ones being written.</summary>
public sealed class ForecastStoreConflictException : IOException
{
    public ForecastStoreConflictException(string blobName, string message)
        : base(message)
    {
        BlobName = blobName;
    }

    /// <summary>The blob whose content differs.</summary>
    public string BlobName { get; }
}
