namespace GraphCast.Orleans.Grains.Storage;

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
