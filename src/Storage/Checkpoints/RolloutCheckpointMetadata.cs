using System.Collections.Immutable;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>What a member checkpoint says about itself: the step it completed and what produced it (safetensors header metadata).</summary>
/// <param name="Step">The number of completed rollout steps the checkpoint's state follows.</param>
/// <param name="SpecHash">The hash of the run spec the member was running; a resume under another spec is refused.</param>
/// <param name="ModelHash">The hash of the model checkpoint (params) that produced it; a resume with another model is refused.</param>
/// <param name="Device">The device class that computed it (<c>cpu</c>, <c>cuda</c>): bit-for-bit resumption holds on the same class.</param>
/// <param name="Dtype">The compute dtype (<c>float32</c>, <c>bfloat16</c>).</param>
public sealed record RolloutCheckpointMetadata(int Step, string SpecHash, string ModelHash, string Device, string Dtype)
{
    /// <summary>Further string entries the caller wants kept with the checkpoint (lead time, rng algorithm…), in key order.</summary>
    public ImmutableSortedDictionary<string, string> Extra { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
}
