namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>A blob that was to be read does not exist.</summary>
public sealed class BlobNotFoundException : FileNotFoundException
{
    public BlobNotFoundException(string name, string location, Exception? innerException = null)
        : base($"Blob '{name}' does not exist in {location}.", name, innerException)
    {
        BlobName = name;
    }

    /// <summary>The name that was not found.</summary>
    public string BlobName { get; }
}
