using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>A checkpoint that was skipped because it could not be used.</summary>
/// <param name="BlobName">The blob that was skipped.</param>
/// <param name="Step">The step its name gives.</param>
/// <param name="Reason">Why: truncation, a checksum mismatch, a malformed header…</param>
public sealed record RejectedCheckpoint(string BlobName, int Step, string Reason);
