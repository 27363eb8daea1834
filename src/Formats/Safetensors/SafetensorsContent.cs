using GraphCast.Formats.Npy;

namespace GraphCast.Formats.Safetensors;

/// <summary>What a safetensors file holds: its tensors in header order and its string→string metadata.</summary>
/// <param name="Tensors">Tensors by name, in the order the header lists them.</param>
/// <param name="Metadata">The header's <c>__metadata__</c> map (empty when absent), in header order.</param>
public sealed record SafetensorsContent(OrderedDictionary<string, NpyArray> Tensors, OrderedDictionary<string, string> Metadata);
