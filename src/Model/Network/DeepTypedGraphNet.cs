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
/// Same algebra as the reference, less memory traffic (results agree to float rounding, not bit for bit):
/// <list type="bullet">
/// <item>The first layer of each processor MLP is applied to its concatenated input piece by piece: senders' and receivers'
/// node latents are projected once per node and then gathered onto edges (N·F·H instead of E·F·H multiply-adds, and no
/// [E, 3·latent] concatenation); the first layer's bias is added to the receivers' projection, once per node; the aggregated
/// messages are projected after the sum.</item>
/// <item>Every matmul runs on 2-D row views with the bias fused (<see cref="Gemm"/>), the edge's own term accumulates into the
/// gathered sum in place, swish runs in place, and latents this network owns take their residuals in place.</item>
/// <item>Every block runs in its own dispose scope and temporaries are released as soon as they are used, so peak memory is
/// a few edge-latent tensors.</item>
/// </list>
/// Parameters are requested in the same order as the reference creates them (linear_0 w, b, linear_1 w, b, then the
/// LayerNorm), so random initialisation is unchanged.
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
    /// Memory: every block runs in its own dispose scope and latents that a step replaces are released (or updated in
    /// place) at once. Tensors the caller passed in are never released or modified here.
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

        // latent + update, in place when this network owns the latent and the shapes agree; the update is released.
        Tensor AddResidual(Tensor latent, Tensor update)
        {
            using (update)
            {
                if (owned.Contains(latent) && latent.shape.SequenceEqual(update.shape))
                {
                    return latent.add_(update);
                }

                var sum = latent.add(update);
                Replace(latent, sum);
                return sum;
            }
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
                edges[i] = edges[i].WithFeatures(AddResidual(edges[i].Features, updatedEdges[i]));
            }

            foreach (var (set, update) in updatedNodes)
            {
                nodes[set] = AddResidual(nodes[set], update);
            }
        }

        // Decode.
        var decoded = new Dictionary<string, Tensor>();
        using var decodeTimer = o.NodeOutputSizes.Count > 0 ? ForwardProfile.Time($"{Name}/decoder") : default;
        foreach (var (set, size) in o.NodeOutputSizes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var latent = nodes[set];
            decoded[set] = Scoped(() =>
            {
                var mlp = NewMlp($"decoder_nodes_{set}_mlp", size);
                var (w, b) = mlp.FirstLayer.Weights(latent.shape[^1]);
                return RunMlp(mlp, Project(latent, w, b));
            });
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

        // Project node latents before gathering them onto edges; the bias rides on the receivers, once per node.
        Tensor x;   // [E, b, H]
        using (var projectedSenders = Project(senders, w.narrow(0, fe, fs), null))
        using (var projectedReceivers = Project(receivers, w.narrow(0, fe + fs, fr), b))
        {
            x = GatherSum(projectedSenders, e.Senders, projectedReceivers, e.Receivers);
        }

        // The edge's own term, accumulated into x (broadcast over the batch when the edge latent has batch 1).
        using (var wOwn = w.narrow(0, 0, fe))
        {
            if (e.Features.shape[1] == x.shape[1])
            {
                using var xRows = Accumulator(x);
                using var eRows = Rows(e.Features);
                Gemm.AddMmInPlace(xRows, eRows, wOwn);
            }
            else
            {
                using var own = Project(e.Features, wOwn, null);
                x.add_(own);
            }
        }

        return Normalize($"processor_edges_{step}_{e.Name}", RunMlp(mlp, x));
    }

    /// <summary>n' = LN(MLP([h, Σ_incoming e'])), the first layer applied piece by piece: <c>[N, b, H]</c>.</summary>
    private Tensor UpdateNodes(int step, string set, Tensor h, (Tensor Messages, Tensor Receivers)[] incoming)
    {
        var mlp = NewMlp($"processor_nodes_{step}_{set}_mlp", _options.LatentSize);
        var fanIn = h.shape[^1] + incoming.Sum(i => i.Messages.shape[^1]);
        var (w, b) = mlp.FirstLayer.Weights(fanIn);
        var offset = h.shape[^1];
        var x = Project(h, w.narrow(0, 0, offset), b);   // [N, b, H]
        foreach (var (messages, receivers) in incoming)
        {
            var width = messages.shape[^1];
            using var aggregated = SumByReceiver(messages, receivers, h.shape[0]);
            using var wMessages = w.narrow(0, offset, width);
            if (aggregated.shape[1] == x.shape[1])
            {
                using var xRows = Accumulator(x);
                using var aggregatedRows = Rows(aggregated);
                Gemm.AddMmInPlace(xRows, aggregatedRows, wMessages);
            }
            else
            {
                using var projected = Project(aggregated, wMessages, null);
                var broadcast = x.add(projected);
                x.Dispose();
                x = broadcast;
            }

            offset += width;
        }

        return Normalize($"processor_nodes_{step}_{set}", RunMlp(mlp, x));
    }

    /// <summary>
    /// The MLP after its first layer: swish (in place) and the remaining layers, each a GEMM with fused bias.
    /// Consumes <paramref name="firstLayerOutput"/> <c>[n, b, H]</c>; returns <c>[n, b, out]</c>.
    /// </summary>
    private static Tensor RunMlp(Mlp mlp, Tensor firstLayerOutput)
    {
        var x = firstLayerOutput;
        var layers = mlp.Layers;
        for (var i = 1; i < layers.Count; i++)
        {
            x.silu_();
            var (w, b) = layers[i].Weights(x.shape[^1]);
            var next = Project(x, w, b);
            x.Dispose();
            x = next;
        }

        if (mlp.ActivateFinal)
        {
            x.silu_();
        }

        return x;
    }

    /// <summary><c>t · w (+ b)</c> over the last axis as one GEMM: <c>[n, b, F] → [n, b, H]</c>.</summary>
    private static Tensor Project(Tensor t, Tensor w, Tensor? b)
    {
        using var rows = t.reshape(-1, t.shape[^1]);
        using var y = Gemm.AddMm(b, rows, w);
        return y.view(t.shape[0], t.shape[1], w.shape[1]);
    }

    /// <summary><c>[n, b, F]</c> as its <c>[n·b, F]</c> rows, to read (a view when contiguous, else a copy).</summary>
    private static Tensor Rows(Tensor t) => t.reshape(-1, t.shape[^1]);

    /// <summary>A contiguous <c>[n, b, F]</c> tensor this network made, as <c>[n·b, F]</c> rows to write through (a view).</summary>
    private static Tensor Accumulator(Tensor t) => t.view(-1, t.shape[^1]);

    /// <summary>
    /// <c>senders[s] + receivers[r]</c> per edge: <c>[Ns, b, H]</c>, <c>[Nr, b, H]</c> → <c>[E, b, H]</c>, one new tensor.
    /// </summary>
    private static Tensor GatherSum(Tensor senders, Tensor senderIndices, Tensor receivers, Tensor receiverIndices)
    {
        var x = senders.index_select(0, senderIndices);
        using var r = receivers.index_select(0, receiverIndices);
        if (x.shape.SequenceEqual(r.shape))
        {
            return x.add_(r);
        }

        using (x)
        {
            return x.add(r);
        }
    }

    /// <summary>Runs <paramref name="body"/> in its own dispose scope; only its result survives.</summary>
    private static Tensor Scoped(Func<Tensor> body)
    {
        using var scope = torch.NewDisposeScope();
        return body().MoveToOuterDisposeScope();
    }

    private Tensor Embed(string prefix, Tensor features)
    {
        var mlp = NewMlp($"{prefix}_mlp", _options.LatentSize);
        var (w, b) = mlp.FirstLayer.Weights(features.shape[^1]);
        return Normalize(prefix, RunMlp(mlp, Project(features, w, b)));
    }

    private Mlp NewMlp(string name, long outputSize)
    {
        var sizes = Enumerable.Repeat(_options.LatentSize, _options.HiddenLayers).Append(outputSize).ToArray();
        return new Mlp(sizes, t => nn.functional.silu(t), name: name);
    }

    /// <summary>LayerNorm of <paramref name="x"/> (consumed) when the network uses it; otherwise x itself.</summary>
    private Tensor Normalize(string prefix, Tensor x)
    {
        if (!_options.UseLayerNorm)
        {
            return x;
        }

        using (x)
        {
            return new LayerNorm(name: $"{prefix}_layer_norm").Call(x);
        }
    }

    /// <summary>Σ over incoming edges per receiver: <c>[E, b, F] → [N, b, F]</c> (jraph's segment_sum).</summary>
    private Tensor SumByReceiver(Tensor messages, Tensor receivers, long numNodes)
    {
        var dtype = messages.dtype;
        if (_options.F32Aggregation && dtype != ScalarType.Float32)
        {
            using var source = messages.to(ScalarType.Float32);
            using var sum32 = torch.zeros([numNodes, source.shape[1], source.shape[2]], source.dtype, source.device);
            sum32.index_add_(0, receivers, source, 1);
            return sum32.to(dtype);
        }

        var sum = torch.zeros([numNodes, messages.shape[1], messages.shape[2]], dtype, messages.device);
        return sum.index_add_(0, receivers, messages, 1);
    }
}
