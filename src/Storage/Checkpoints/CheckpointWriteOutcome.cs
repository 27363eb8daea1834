namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>How <see cref="RolloutCheckpointStore.WriteAsync"/> left the checkpoint blob.</summary>
public enum CheckpointWriteOutcome
{
    /// <summary>The blob now holds this checkpoint: written by this call, or already there with identical bytes (an idempotent retry).</summary>
    Written,

    /// <summary>
    /// A corrupt blob held the name (failed its checksum or could not be parsed) and was replaced: the one case where a
    /// create-only checkpoint is overwritten, because a member that fell back past it recomputes the same step.
    /// </summary>
    ReplacedCorrupt,
}
