namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>A blob's whole content with the ETag of exactly that content (read, change, then write back with If-Match).</summary>
/// <param name="Data">The bytes; owned by the caller.</param>
/// <param name="ETag">The version the bytes belong to.</param>
public sealed record BlobContent(byte[] Data, string ETag);
