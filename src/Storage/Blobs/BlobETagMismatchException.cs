namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>A conditional write found the blob at another version than the caller read: someone else changed it first.</summary>
public sealed class BlobETagMismatchException : IOException
{
    public BlobETagMismatchException(string name, string location, string expectedETag, string? currentETag, Exception? innerException = null)
        : base(
            $"Blob '{name}' in {location} was changed by another writer: it was expected at ETag {expectedETag} but is " +
            (currentETag is null ? "gone" : $"at ETag {currentETag}") + ". Nothing was written; read it again and reapply the change.",
            innerException)
    {
        BlobName = name;
        ExpectedETag = expectedETag;
        CurrentETag = currentETag;
    }

    /// <summary>The blob that was to be written.</summary>
    public string BlobName { get; }

    /// <summary>The ETag the caller read (If-Match).</summary>
    public string ExpectedETag { get; }

    /// <summary>The blob's ETag when the write was refused, if known; null when the blob no longer exists.</summary>
    public string? CurrentETag { get; }
}
