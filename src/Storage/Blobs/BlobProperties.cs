namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>What an <see cref="IBlobStore"/> knows about one blob without returning its content.</summary>
/// <param name="Name">The blob name.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="ETag">An opaque version tag that changes whenever the content changes (for <see cref="IBlobStore.WriteAsync"/>).</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ContentSha256">
/// The lower-case hex SHA-256 of its content: computed by the local store, recorded as blob metadata by the Azure store
/// at write time; null for an Azure blob that another tool wrote.
/// </param>
public sealed record BlobProperties(string Name, long Length, string ETag, DateTimeOffset LastModified, string? ContentSha256);
