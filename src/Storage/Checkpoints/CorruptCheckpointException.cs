using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>A checkpoint blob that cannot be used: truncated, failing its checksum, or with a malformed header.</summary>
public sealed class CorruptCheckpointException : IOException
{
    public CorruptCheckpointException(string blobName, string reason, Exception? innerException = null)
        : base($"Checkpoint '{blobName}' is corrupt: {reason}", innerException)
    {
        BlobName = blobName;
        Reason = reason;
    }

    /// <summary>The checkpoint blob.</summary>
    public string BlobName { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
