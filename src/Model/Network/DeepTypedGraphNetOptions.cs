using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>Options of a <see cref="DeepTypedGraphNet"/> (the reference constructor's arguments that GraphCast uses).</summary>
public sealed record DeepTypedGraphNetOptions
{
    /// <summary>Rows (elements × batch) per chunk of the edge and node passes when not set.</summary>
    public const long DefaultChunkRows = 4096;

    /// <summary>Latent size of every node and edge MLP (512 in the published models).</summary>
    public required long LatentSize { get; init; }

    /// <summary>Hidden layers per MLP (1 in the published models: Linear → swish → Linear).</summary>
    public required int HiddenLayers { get; init; }

    /// <summary>Message-passing steps, each with its own weights.</summary>
    public required int MessagePassingSteps { get; init; }

    /// <summary>Embed node features with <c>encoder_nodes_*</c> MLPs; otherwise they pass through (already latent).</summary>
    public bool EmbedNodes { get; init; }

    /// <summary>Embed edge features with <c>encoder_edges_*</c> MLPs.</summary>
    public bool EmbedEdges { get; init; }

    /// <summary>LayerNorm after every embed and processor MLP (never after the decoder).</summary>
    public bool UseLayerNorm { get; init; } = true;

    /// <summary>Do the sum aggregation in float32 even when activations are bfloat16 (the reference's grid2mesh does).</summary>
    public bool F32Aggregation { get; init; }

    /// <summary>Node sets to decode, with the decoder's output size (no decoder when empty).</summary>
    public IReadOnlyDictionary<string, long> NodeOutputSizes { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// Return the edge latents after the last step. GraphCast never reads them: without, the last step releases each edge
    /// set's latents as soon as it has used them (no residual), a one-step network embeds its edges chunk by chunk inside
    /// the step instead of materialising them, and the returned graph carries the input edge features.
    /// </summary>
    public bool KeepEdgeLatents { get; init; } = true;

    /// <summary>
    /// Rows (elements × batch) per chunk of the edge and node passes: every temporary of an MLP is chunk-sized, so
    /// memory traffic stays near the cache and the allocator reuses the same blocks. Any value gives the same results.
    /// </summary>
    public long ChunkRows { get; init; } = DefaultChunkRows;

    /// <summary>
    /// Node and edge sets whose input features do not depend on the forward's inputs (structural features): their
    /// embeddings, and for edge sets the first processor layer's own term, may be kept in <see cref="Cache"/>.
    /// </summary>
    public IReadOnlySet<string> StaticInputs { get; init; } = new HashSet<string>();

    /// <summary>Where terms of <see cref="StaticInputs"/> are kept between calls (null: recomputed every call).</summary>
    public StructuralTermsCache? Cache { get; init; }
}
