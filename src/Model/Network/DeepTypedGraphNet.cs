using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>Options of a <see cref="DeepTypedGraphNet"/> (the reference constructor's arguments that GraphCast uses).</summary>
public sealed record DeepTypedGraphNetOptions
{
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
}

/// <summary>
/// The reference's <c>DeepTypedGraphNet</c>: embed (optional) → N unshared <c>InteractionNetwork</c> steps → decode (optional).
/// A step updates every edge set, e' = MLP_e([e, h_sender, h_receiver]), then every node set,
/// n' = MLP_n([h, Σ_incoming e']), and adds residuals h += n', e += e' (aggregating e' before its residual). MLPs use
/// swish and are followed by LayerNorm. Module names match the reference checkpoint: all networks are built in the method
/// <c>_networks_builder</c>, so paths are <c>{name}/~_networks_builder/{encoder|processor|decoder}_…</c>.
/// </summary>
/// <remarks>
/// The first layer of each processor MLP is applied to its concatenated input piece by piece — senders' and receivers'
/// node latents are projected before they are gathered onto edges, and the aggregated messages are projected after the
/// sum — which is the same algebra as the reference's concat-then-matmul with far less memory traffic (results agree to
/// float rounding, not bit for bit).
/// </remarks>
public sealed class DeepTypedGraphNet : Module
{
    private readonly DeepTypedGraphNetOptions _options;

    public DeepTypedGraphNet(DeepTypedGraphNetOptions options, string name)
        : base(name)
    {
        _options = options;
    }

    /// <summary>Runs the network; returns the graph with latent nodes and edges, and the decoded node outputs.</summary>
    public (TypedGraph Latent, IReadOnlyDictionary<string, Tensor> Decoded) Call(TypedGraph graph)
    {
        var o = _options;
        using var _ = MethodScope("_networks_builder");
        var nodes = new Dictionary<string, Tensor>(graph.Nodes);
        var edges = graph.Edges.ToList();

        // Embed.
        if (o.EmbedEdges)
        {
            for (var i = 0; i < edges.Count; i++)
            {
                edges[i] = edges[i].WithFeatures(Embed($"encoder_edges_{edges[i].Name}", edges[i].Features));
            }
        }

        if (o.EmbedNodes)
        {
            foreach (var set in graph.Nodes.Keys)
            {
                nodes[set] = Embed($"encoder_nodes_{set}", nodes[set]);
            }
        }

        // Process: unshared interaction-network steps.
        for (var step = 0; step < o.MessagePassingSteps; step++)
        {
            var updatedEdges = new Tensor[edges.Count];
            for (var i = 0; i < edges.Count; i++)
            {
                var e = edges[i];
                var mlp = NewMlp($"processor_edges_{step}_{e.Name}_mlp", o.LatentSize);
                var first = mlp.FirstLayer;
                var (w, b) = first.Weights(e.Features.shape[^1] + nodes[e.SenderSet].shape[^1] + nodes[e.ReceiverSet].shape[^1]);
                var fe = e.Features.shape[^1];
                var fs = nodes[e.SenderSet].shape[^1];
                // [E, b, H] = e·W_e + (h_s·W_s)[senders] + (h_r·W_r)[receivers] + bias
                var x = e.Features.matmul(w.narrow(0, 0, fe));
                x = x.add(nodes[e.SenderSet].matmul(w.narrow(0, fe, fs)).index_select(0, e.Senders));
                x = x.add(nodes[e.ReceiverSet].matmul(w.narrow(0, fe + fs, w.shape[0] - fe - fs)).index_select(0, e.Receivers));
                if (b is not null)
                {
                    x = x.add(b);
                }

                updatedEdges[i] = Normalize($"processor_edges_{step}_{e.Name}", mlp.CallAfterFirstLayer(x));
            }

            var updatedNodes = new Dictionary<string, Tensor>();
            foreach (var (set, h) in nodes)
            {
                var incoming = Enumerable.Range(0, edges.Count).Where(i => edges[i].ReceiverSet == set).ToArray();
                var mlp = NewMlp($"processor_nodes_{step}_{set}_mlp", o.LatentSize);
                var fanIn = h.shape[^1] + incoming.Sum(i => updatedEdges[i].shape[^1]);
                var (w, b) = mlp.FirstLayer.Weights(fanIn);
                var offset = h.shape[^1];
                var x = h.matmul(w.narrow(0, 0, offset));
                foreach (var i in incoming)
                {
                    var messages = updatedEdges[i];
                    var aggregated = SumByReceiver(messages, edges[i].Receivers, h.shape[0]);
                    var width = messages.shape[^1];
                    x = x.add(aggregated.matmul(w.narrow(0, offset, width)));
                    offset += width;
                }

                if (b is not null)
                {
                    x = x.add(b);
                }

                updatedNodes[set] = Normalize($"processor_nodes_{step}_{set}", mlp.CallAfterFirstLayer(x));
            }

            // Residuals.
            for (var i = 0; i < edges.Count; i++)
            {
                edges[i] = edges[i].WithFeatures(edges[i].Features.add(updatedEdges[i]));
            }

            foreach (var set in updatedNodes.Keys)
            {
                nodes[set] = nodes[set].add(updatedNodes[set]);
            }
        }

        // Decode.
        var decoded = new Dictionary<string, Tensor>();
        foreach (var (set, size) in o.NodeOutputSizes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            decoded[set] = NewMlp($"decoder_nodes_{set}_mlp", size).Call(nodes[set]);
        }

        return (graph.With(nodes, edges), decoded);
    }

    private Tensor Embed(string prefix, Tensor features) =>
        Normalize(prefix, NewMlp($"{prefix}_mlp", _options.LatentSize).Call(features));

    private Mlp NewMlp(string name, long outputSize)
    {
        var sizes = Enumerable.Repeat(_options.LatentSize, _options.HiddenLayers).Append(outputSize).ToArray();
        return new Mlp(sizes, t => nn.functional.silu(t), name: name);
    }

    private Tensor Normalize(string prefix, Tensor x) =>
        _options.UseLayerNorm ? new LayerNorm(name: $"{prefix}_layer_norm").Call(x) : x;

    /// <summary>Σ over incoming edges per receiver: <c>[E, b, F] → [N, b, F]</c> (jraph's segment_sum).</summary>
    private Tensor SumByReceiver(Tensor messages, Tensor receivers, long numNodes)
    {
        var dtype = messages.dtype;
        var source = _options.F32Aggregation && dtype != ScalarType.Float32 ? messages.to(ScalarType.Float32) : messages;
        var sum = torch.zeros([numNodes, source.shape[1], source.shape[2]], source.dtype, source.device);
        sum.index_add_(0, receivers, source, 1);
        return sum.dtype == dtype ? sum : sum.to(dtype);
    }
}
