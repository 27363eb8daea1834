namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>A flat store of named, immutable-or-versioned blobs: the one storage abstraction that checkpoints and forecasts are written through.</summary>
/// <remarks>
/// Two backends implement it with the same semantics (one contract test suite runs against both):
/// <see cref="LocalDirectoryBlobStore"/> (files under a root folder, the embedded default) and
/// <see cref="AzureBlobStore"/> (a container in Azure Blob Storage or Azurite).
/// <list type="bullet">
/// <item>Names are '/'-separated relative paths checked by <see cref="BlobName"/>; a bad name is an
/// <see cref="ArgumentException"/> naming it, before anything is read or written.</item>
/// <item>A blob is whole or absent: readers never see a partly written blob, whatever fails during a write.</item>
/// <item>Content is read from a stream's current position to its end. Streams must be seekable: a backend may read
/// them more than once (a hash, then the upload, and again on a retry).</item>
/// <item>ETags are opaque strings that change whenever a blob's content changes.</item>
/// </list>
/// </remarks>
public interface IBlobStore
{
    /// <summary>Where the store keeps its blobs, for logs and messages (a folder or a container URL; never a credential).</summary>
    string Location { get; }

    /// <summary>Whether the blob exists.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The blob's size, ETag, time and content hash; null when it does not exist.</summary>
    Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The blob's whole content and the ETag of exactly that content.</summary>
    /// <exception cref="BlobNotFoundException">The blob does not exist.</exception>
    Task<BlobContent> ReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>A read-only stream over the blob's content, for blobs too large to hold twice in memory.</summary>
    /// <exception cref="BlobNotFoundException">The blob does not exist.</exception>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the blob with <paramref name="content"/> if no blob of that name exists; never replaces one.
    /// </summary>
    /// <returns>
    /// True when the blob now holds exactly <paramref name="content"/>: this call created it, or it already held the
    /// same bytes. A retried write whose first attempt landed but whose answer was lost cannot be told apart from an
    /// identical earlier write, and both are success: writes of immutable blobs (checkpoints, forecast chunks) are
    /// idempotent. False when the blob exists with other bytes; it is left as it was.
    /// When several writers race for one name with different content, exactly one of them gets true.
    /// </returns>
    Task<bool> TryCreateAsync(string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or replaces the blob with <paramref name="content"/>. With <paramref name="ifMatchETag"/>, only if the
    /// blob still has that ETag (optimistic concurrency for manifests such as <c>run.json</c>).
    /// </summary>
    /// <returns>The ETag of the written content.</returns>
    /// <exception cref="BlobETagMismatchException">
    /// The blob's ETag is no longer <paramref name="ifMatchETag"/> (or the blob is gone) and it does not already hold
    /// <paramref name="content"/>; nothing was written. Re-read the blob and apply the change again.
    /// </exception>
    Task<string> WriteAsync(string name, Stream content, string? ifMatchETag = null, CancellationToken cancellationToken = default);

    /// <summary>The blobs whose names start with <paramref name="prefix"/> (empty: all), in ordinal order of name.</summary>
    Task<IReadOnlyList<BlobEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob; true if it existed.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
