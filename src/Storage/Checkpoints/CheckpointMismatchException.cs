using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>A valid checkpoint that another run spec or another model wrote: resuming from it would silently change the forecast.</summary>
public sealed class CheckpointMismatchException : InvalidOperationException
{
    public CheckpointMismatchException(string blobName, string expectedSpecHash, string expectedModelHash, string foundSpecHash, string foundModelHash)
        : base(
            $"Checkpoint '{blobName}' was written with spec hash {foundSpecHash} and model hash {foundModelHash}, but this resume " +
            $"expects spec hash {expectedSpecHash} and model hash {expectedModelHash}. It belongs to another configuration or " +
            "model: resume with the spec and model that wrote it, or start a new run id.")
    {
        BlobName = blobName;
        ExpectedSpecHash = expectedSpecHash;
        ExpectedModelHash = expectedModelHash;
        FoundSpecHash = foundSpecHash;
        FoundModelHash = foundModelHash;
    }

    /// <summary>The checkpoint blob.</summary>
    public string BlobName { get; }

    /// <summary>The spec hash the caller resumes with.</summary>
    public string ExpectedSpecHash { get; }

    /// <summary>The model hash the caller resumes with.</summary>
    public string ExpectedModelHash { get; }

    /// <summary>The spec hash in the checkpoint.</summary>
    public string FoundSpecHash { get; }

    /// <summary>The model hash in the checkpoint.</summary>
    public string FoundModelHash { get; }
}
