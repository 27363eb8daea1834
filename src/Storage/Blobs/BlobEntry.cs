namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>One blob in a listing (<see cref="IBlobStore.ListAsync"/>): its name and size.</summary>
public sealed record BlobEntry(string Name, long Length);
