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
    /// <remarks>
    /// Memory: every block runs in its own dispose scope and latents that a step replaces are released at once, so peak
    /// memory is a few edge-latent tensors rather than everything the 16 steps ever computed (the caller's scope would
    /// otherwise hold them all until Apply returns). Tensors the caller passed in are never released here.
    /// </remarks>
    public (TypedGraph Latent, IReadOnlyDictionary<string, Tensor> Decoded) Call(TypedGraph graph)
    {
        var o = _options;
        using var _ = MethodScope("_networks_builder");
        var nodes = new Dictionary<string, Tensor>(graph.Nodes);
        var edges = graph.Edges.ToList();
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);

        void Replace(Tensor old, Tensor replacement)
        {
            if (owned.Remove(old))
            {
                old.Dispose();
            }

            owned.Add(replacement);
        }

        // Embed.
        var embedTimer = ForwardProfile.Time($"{Name}/embed");
        if (o.EmbedEdges)
        {
            for (var i = 0; i < edges.Count; i++)
            {
                var name = edges[i].Name;
                var features = edges[i].Features;
                var embedded = Scoped(() => Embed($"encoder_edges_{name}", features));
                Replace(features, embedded);
                edges[i] = edges[i].WithFeatures(embedded);
            }
        }

        if (o.EmbedNodes)
        {
            foreach (var set in graph.Nodes.Keys)
            {
                var features = nodes[set];
                var embedded = Scoped(() => Embed($"encoder_nodes_{set}", features));
                Replace(features, embedded);
                nodes[set] = embedded;
            }
        }

        embedTimer.Dispose();

        // Process: unshared interaction-network steps.
        for (var step = 0; step < o.MessagePassingSteps; step++)
        {
            using var stepTimer = ForwardProfile.Time($"{Name}/step_{step}");
            var updatedEdges = new Tensor[edges.Count];
            for (var i = 0; i < edges.Count; i++)
            {
                var e = edges[i];
                updatedEdges[i] = Scoped(() => UpdateEdges(step, e, nodes[e.SenderSet], nodes[e.ReceiverSet]));
            }

            var updatedNodes = new Dictionary<string, Tensor>();
            foreach (var (set, h) in nodes)
            {
                var incoming = Enumerable.Range(0, edges.Count).Where(i => edges[i].ReceiverSet == set)
                    .Select(i => (updatedEdges[i], edges[i].Receivers)).ToArray();
                updatedNodes[set] = Scoped(() => UpdateNodes(step, set, h, incoming));
            }

            // Residuals (the aggregation above used e' before its residual).
            for (var i = 0; i < edges.Count; i++)
            {
                var old = edges[i].Features;
                var sum = AddResidual(old, updatedEdges[i]);
                Replace(old, sum);
                edges[i] = edges[i].WithFeatures(sum);
            }

            foreach (var (set, update) in updatedNodes)
            {
                var old = nodes[set];
                var sum = AddResidual(old, update);
                Replace(old, sum);
                nodes[set] = sum;
            }
        }

        // Decode.
        var decoded = new Dictionary<string, Tensor>();
        using var decodeTimer = o.NodeOutputSizes.Count > 0 ? ForwardProfile.Time($"{Name}/decoder") : default;
        foreach (var (set, size) in o.NodeOutputSizes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var latent = nodes[set];
            decoded[set] = Scoped(() => NewMlp($"decoder_nodes_{set}_mlp", size).Call(latent));
        }

        return (graph.With(nodes, edges), decoded);
    }

    /// <summary>e' = LN(MLP([e, h_s, h_r])), applying the first layer piece by piece: <c>[E, b, H]</c>.</summary>
    private Tensor UpdateEdges(int step, EdgeSet e, Tensor senders, Tensor receivers)
    {
        var mlp = NewMlp($"processor_edges_{step}_{e.Name}_mlp", _options.LatentSize);
        var fe = e.Features.shape[^1];
        var fs = senders.shape[^1];
        var fr = receivers.shape[^1];
        var (w, b) = mlp.FirstLayer.Weights(fe + fs + fr);
        // Project node latents before gathering them onto edges: N·F·H instead of E·F·H multiply-adds.
        Tensor x;
        using (var gatheredSenders = Gather(senders, w.narrow(0, fe, fs), e.Senders))
        using (var gatheredReceivers = Gather(receivers, w.narrow(0, fe + fs, fr), e.Receivers))
        {
            x = gatheredSenders.add(gatheredReceivers);
        }

        using (var own = e.Features.matmul(w.narrow(0, 0, fe)))
        {
            x.add_(own);
        }

        if (b is not null)
        {
            x.add_(b);
        }

        return Normalize($"processor_edges_{step}_{e.Name}", mlp.CallAfterFirstLayer(x));
    }

    /// <summary>n' = LN(MLP([h, Σ_incoming e'])), the first layer applied piece by piece: <c>[N, b, H]</c>.</summary>
    private Tensor UpdateNodes(int step, string set, Tensor h, (Tensor Messages, Tensor Receivers)[] incoming)
    {
        var mlp = NewMlp($"processor_nodes_{step}_{set}_mlp", _options.LatentSize);
        var fanIn = h.shape[^1] + incoming.Sum(i => i.Messages.shape[^1]);
        var (w, b) = mlp.FirstLayer.Weights(fanIn);
        var offset = h.shape[^1];
        var x = h.matmul(w.narrow(0, 0, offset));
        foreach (var (messages, receivers) in incoming)
        {
            var width = messages.shape[^1];
            using var aggregated = SumByReceiver(messages, receivers, h.shape[0]);
            using var projected = aggregated.matmul(w.narrow(0, offset, width));
            x = x.shape.SequenceEqual(projected.shape) ? x.add_(projected) : x.add(projected);
            offset += width;
        }

        if (b is not null)
        {
            x.add_(b);
        }

        return Normalize($"processor_nodes_{step}_{set}", mlp.CallAfterFirstLayer(x));
    }

    /// <summary>(h·W)[indices]: <c>[N, b, F] → [E, b, H]</c>.</summary>
    private static Tensor Gather(Tensor nodes, Tensor w, Tensor indices)
    {
        using var projected = nodes.matmul(w);
        return projected.index_select(0, indices);
    }

    private static Tensor AddResidual(Tensor latent, Tensor update)
    {
        using (update)
        {
            return latent.add(update);
        }
    }

    /// <summary>Runs <paramref name="body"/> in its own dispose scope; only its result survives.</summary>
    private static Tensor Scoped(Func<Tensor> body)
    {
        using var scope = torch.NewDisposeScope();
        return body().MoveToOuterDisposeScope();
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
