using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>A valid checkpoint already holds the name with different content: two computations of one step disagree.</summary>
public sealed class CheckpointConflictException : IOException
{
    public CheckpointConflictException(string blobName, string difference)
        : base(
            $"Checkpoint '{blobName}' already exists with different content ({difference}). Checkpoints are written once; the " +
            "same step computed twice should give the same bytes, so the member's computation is not reproducible here " +
            "(another device class, dtype or model?).")
    {
        BlobName = blobName;
    }

    /// <summary>The checkpoint blob.</summary>
    public string BlobName { get; }
}
