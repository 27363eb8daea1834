namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>The outcome of looking for a member's newest usable checkpoint: the one found (if any) and the newer ones that were skipped, with why.</summary>
/// <param name="Checkpoint">The newest checkpoint that passed verification; null when none did (start from step 0).</param>
/// <param name="Rejected">Newer checkpoints that were corrupt or unreadable, newest first.</param>
public sealed record LatestCheckpoint(Checkpoint? Checkpoint, IReadOnlyList<RejectedCheckpoint> Rejected);
