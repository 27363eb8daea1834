using GraphCast.Formats.Npy;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>A member checkpoint as loaded and verified: its blob, its metadata and its named tensors (in the order they were written).</summary>
/// <param name="BlobName">Where it was read from.</param>
/// <param name="Metadata">Step, hashes, device and dtype from its header.</param>
/// <param name="Tensors">The tensors by name, as host arrays: the caller decides how to place them on a device.</param>
public sealed record Checkpoint(string BlobName, RolloutCheckpointMetadata Metadata, IReadOnlyDictionary<string, NpyArray> Tensors);
