using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>
/// The reference's <c>DeepTypedGraphNet</c>: embed (optional) → N unshared <c>InteractionNetwork</c> steps → decode (optional).
/// A step updates every edge set, e' = MLP_e([e, h_sender, h_receiver]), then every node set,
/// n' = MLP_n([h, Σ_incoming e']), and adds residuals h += n', e += e' (aggregating e' before its residual). MLPs use
/// swish and are followed by LayerNorm. Module names match the reference checkpoint: all networks are built in the method
/// <c>_networks_builder</c>, so paths are <c>{name}/~_networks_builder/{encoder|processor|decoder}_…</c>.
/// </summary>
/// <remarks>
/// Same algebra as the reference, far less memory traffic (results agree to float rounding, not bit for bit):
/// <list type="bullet">
/// <item>The first layer of each processor MLP is applied to its concatenated input piece by piece: senders' and
/// receivers' node latents are projected once per node and then gathered onto edges (N·F·H instead of E·F·H
/// multiply-adds, no [E, 3·latent] concatenation), the first layer's bias rides on the receivers' projection (once per
/// node), and the aggregated messages are projected after the sum.</item>
/// <item>Edges and nodes are processed in chunks of <see cref="DeepTypedGraphNetOptions.ChunkRows"/> rows: gather, own
/// term, MLP and LayerNorm of a chunk, then its messages are summed into the receivers and its residual added in place.
/// This is exact because an edge's update reads only its own latent and the node latents, which change only after every
/// edge set has been processed (and a node's update reads only its own latent and its aggregated messages). No
/// edge-sized temporary is ever materialised; the edge latents themselves are the only edge-sized tensors.</item>
/// <item>Every matmul is a GEMM on 2-D rows with the bias fused (<see cref="Gemm"/>); swish runs in place.</item>
/// <item>Inputs named in <see cref="DeepTypedGraphNetOptions.StaticInputs"/> (structural features) are embedded, and their
/// first-step own terms computed, once per parameters and kept in <see cref="DeepTypedGraphNetOptions.Cache"/>.</item>
/// </list>
/// All parameters are requested up front in the order the reference creates them (per MLP: linear_0 w, b, linear_1 w, b,
/// then its LayerNorm), so random initialisation does not depend on the order of computation.
/// </remarks>
public sealed class DeepTypedGraphNet : Module
{
    private readonly DeepTypedGraphNetOptions _options;

    public DeepTypedGraphNet(DeepTypedGraphNetOptions options, string name)
        : base(name)
    {
        if (options.ChunkRows <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ChunkRows, "ChunkRows must be positive.");
        }

        _options = options;
    }

    /// <summary>Runs the network; returns the graph with latent nodes (and edges, when kept) and the decoded node outputs.</summary>
    /// <remarks>Tensors the caller passed in are never released or modified here.</remarks>
    public (TypedGraph Latent, IReadOnlyDictionary<string, Tensor> Decoded) Call(TypedGraph graph)
    {
        var o = _options;
        using var _ = MethodScope("_networks_builder");
        var w = RequestWeights(graph);

        var nodes = new Dictionary<string, Tensor>(graph.Nodes);
        var edges = graph.Edges.ToArray();
        var edgeLatents = new Tensor?[edges.Length];
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);    // ours to write and release
        var shared = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);   // handles to cache entries: read-only

        void Release(Tensor t)
        {
            if (owned.Remove(t) || shared.Remove(t))
            {
                t.Dispose();
            }
        }

        Tensor Own(Tensor old, Tensor replacement)
        {
            Release(old);
            owned.Add(replacement);
            return replacement;
        }

        // Terms of static inputs come from the cache when there is one (and this is an Apply: Init computes).
        var cacheOwner = o.Cache is null ? null : Transform.CurrentParameters;
        var dtype = graph.Nodes.Values.First().dtype;
        Tensor Cached(string key, Func<Tensor> compute) => o.Cache!.GetOrAdd(cacheOwner!, dtype, $"{Path}/{key}", compute);

        Tensor Embedded(Tensor old, string set, Func<Tensor> compute)
        {
            if (cacheOwner is null || !o.StaticInputs.Contains(set))
            {
                return Own(old, compute());
            }

            Release(old);
            var entry = Cached($"embed/{set}", compute);
            shared.Add(entry);
            return entry;
        }

        // A one-step network whose edge latents nobody reads embeds its edges chunk by chunk inside the step.
        var fuseEdgeEmbedding = o.EmbedEdges && o.MessagePassingSteps == 1 && !o.KeepEdgeLatents;

        using (ForwardProfile.Time($"{Name}/embed"))
        {
            if (o.EmbedEdges && !fuseEdgeEmbedding)
            {
                for (var i = 0; i < edges.Length; i++)
                {
                    var (features, embedder) = (edges[i].Features, w.EdgeEmbedders[i]);
                    edgeLatents[i] = Embedded(features, edges[i].Name, () => Rowwise(features, embedder.OutputSize, embedder.Apply));
                }
            }

            if (o.EmbedNodes)
            {
                foreach (var (set, embedder) in w.NodeEmbedders)
                {
                    var features = nodes[set];
                    nodes[set] = Embedded(features, set, () => Rowwise(features, o.LatentSize, embedder.Apply));
                }
            }
        }

        for (var step = 0; step < o.MessagePassingSteps; step++)
        {
            using var stepTimer = ForwardProfile.Time($"{Name}/step_{step}");
            var keepEdges = o.KeepEdgeLatents || step < o.MessagePassingSteps - 1;

            // Edge pass: every edge set's messages summed per receiver (and its residual, when kept), from the old nodes.
            var aggregated = new Tensor[edges.Length];
            for (var i = 0; i < edges.Length; i++)
            {
                var e = edges[i];
                var source = edgeLatents[i] ?? e.Features;
                var embedder = fuseEdgeEmbedding ? w.EdgeEmbedders[i] : null;
                var mlp = w.EdgeUpdaters[step][i];

                // The first step's own term of a static edge set, (embedded) features · W_own: [E, 1, H], from the cache.
                using var ownTerms = step == 0 && cacheOwner is not null && o.StaticInputs.Contains(e.Name)
                    ? Cached($"own_0/{e.Name}", () => OwnTerms(source, embedder, mlp))
                    : null;

                Tensor? state = null;
                if (keepEdges)
                {
                    var batch = Math.Max(source.shape[1], Math.Max(nodes[e.SenderSet].shape[1], nodes[e.ReceiverSet].shape[1]));
                    state = owned.Contains(source) && source.shape[1] == batch ? source : Own(source, Materialise(source, batch));
                    edgeLatents[i] = state;
                }

                aggregated[i] = ownTerms is null
                    ? EdgePass(e, state ?? source, embedder, null, mlp, nodes[e.SenderSet], nodes[e.ReceiverSet], state)
                    : EdgePass(e, null, null, ownTerms, mlp, nodes[e.SenderSet], nodes[e.ReceiverSet], state);

                if (!keepEdges && edgeLatents[i] is { } dead)
                {
                    Release(dead);
                    edgeLatents[i] = null;
                }
            }

            // Node pass: each node set from its own latent and its incoming sums; residuals in place.
            foreach (var (set, updater) in w.NodeUpdaters[step])
            {
                var incoming = Enumerable.Range(0, edges.Length).Where(i => edges[i].ReceiverSet == set).Select(i => aggregated[i]).ToArray();
                var h = nodes[set];
                var batch = incoming.Aggregate(h.shape[1], (b, a) => Math.Max(b, a.shape[1]));
                var state = owned.Contains(h) && h.shape[1] == batch ? h : Own(h, Materialise(h, batch));
                NodePass(state, incoming, updater);
                nodes[set] = state;
            }

            foreach (var sum in aggregated)
            {
                sum.Dispose();
            }
        }

        var decoded = new Dictionary<string, Tensor>();
        using (o.NodeOutputSizes.Count > 0 ? ForwardProfile.Time($"{Name}/decoder") : default)
        {
            foreach (var (set, decoder) in w.Decoders)
            {
                decoded[set] = Rowwise(nodes[set], decoder.Layers[^1].W.shape[1], decoder.Apply);
            }
        }

        var latentEdges = edges.Select((e, i) => edgeLatents[i] is { } l ? e.WithFeatures(l) : e).ToArray();
        return (graph.With(nodes, latentEdges), decoded);
    }

    /// <summary>
    /// One edge set's update, chunk by chunk: e' = LN(MLP([e, h_s, h_r])) with the first layer applied piece by piece,
    /// summed per receiver; with a <paramref name="residual"/>, residual += e' in place.
    /// </summary>
    /// <param name="e">The edge set (indices).</param>
    /// <param name="latents">Edge latents <c>[E, b, F]</c>, or raw features that <paramref name="embedder"/> embeds per chunk; null with <paramref name="ownTerms"/>.</param>
    /// <param name="embedder">Embeds <paramref name="latents"/> per chunk (one-step networks), or null.</param>
    /// <param name="ownTerms">The own term e·W_own <c>[E, 1|b, H]</c> already computed (a static edge set's first step), or null.</param>
    /// <param name="mlp">The edge MLP.</param>
    /// <param name="senders">Sender node latents.</param>
    /// <param name="receivers">Receiver node latents.</param>
    /// <param name="residual">Edge latents to update in place (contiguous <c>[E, b, H]</c>), or null.</param>
    /// <returns>Σ e' per receiver node <c>[N_receivers, b, H]</c> (float32 with F32Aggregation).</returns>
    private Tensor EdgePass(EdgeSet e, Tensor? latents, MlpWeights? embedder, Tensor? ownTerms, MlpWeights mlp, Tensor senders, Tensor receivers, Tensor? residual)
    {
        var fs = senders.shape[^1];
        var fr = receivers.shape[^1];
        var (w0, b0) = mlp.Layers[0];
        var fe = w0.shape[0] - fs - fr;
        using var wOwn = w0.narrow(0, 0, fe);
        using var wSenders = w0.narrow(0, fe, fs);
        using var wReceivers = w0.narrow(0, fe + fs, fr);

        // Project node latents once per node; the first layer's bias rides on the receivers.
        using var projectedSenders = Project(senders, wSenders, null);       // [Ns, b, H]
        using var projectedReceivers = Project(receivers, wReceivers, b0);   // [Nr, b, H]
        var own = ownTerms ?? latents ?? throw new ArgumentNullException(nameof(latents));
        var batch = Math.Max(Math.Max(own.shape[1], residual?.shape[1] ?? 1), Math.Max(senders.shape[1], receivers.shape[1]));
        var sumType = _options.F32Aggregation ? ScalarType.Float32 : projectedSenders.dtype;
        var sum = torch.zeros([receivers.shape[0], batch, mlp.OutputSize], sumType, senders.device);

        var count = e.Senders.shape[0];
        var chunk = Math.Max(1, _options.ChunkRows / batch);
        for (long start = 0; start < count; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var length = Math.Min(chunk, count - start);
            var s = e.Senders.narrow(0, start, length);
            var r = e.Receivers.narrow(0, start, length);
            var x = AddBroadcast(projectedSenders.index_select(0, s), projectedReceivers.index_select(0, r));   // [n, b, H]
            if (ownTerms is not null)
            {
                x = AddBroadcast(x, ownTerms.narrow(0, start, length));
            }
            else
            {
                var rows = latents!.narrow(0, start, length);
                x = AddProduct(x, embedder is null ? rows : embedder.Apply(rows), wOwn);
            }

            var update = mlp.Finish(x);   // [n, b, H]
            sum.index_add_(0, r, update.dtype == sumType ? update : update.to(sumType), Scalars.One);
            residual?.narrow(0, start, length).add_(update, Scalars.One);
        }

        return sum;
    }

    /// <summary>The own term of an edge MLP's first layer, (embedded) features · W_own, for every edge: <c>[E, b, H]</c>.</summary>
    private Tensor OwnTerms(Tensor latents, MlpWeights? embedder, MlpWeights mlp)
    {
        var (w0, _) = mlp.Layers[0];
        using var wOwn = w0.narrow(0, 0, embedder?.OutputSize ?? latents.shape[^1]);
        return Rowwise(latents, w0.shape[1], rows => Project(embedder is null ? rows : embedder.Apply(rows), wOwn, null));
    }

    /// <summary>
    /// Every node's update n' = LN(MLP([h, Σ_incoming e'])), chunk by chunk, added to <paramref name="latents"/>
    /// <c>[N, b, F]</c> in place (each chunk's update is computed from its rows before they change).
    /// </summary>
    private void NodePass(Tensor latents, Tensor[] incoming, MlpWeights mlp)
    {
        var (w0, b0) = mlp.Layers[0];
        var fh = latents.shape[^1];
        using var wOwn = w0.narrow(0, 0, fh);
        var wIncoming = new List<Tensor>();
        var offset = fh;
        foreach (var sum in incoming)
        {
            wIncoming.Add(w0.narrow(0, offset, sum.shape[^1]));
            offset += sum.shape[^1];
        }

        var count = latents.shape[0];
        var chunk = Math.Max(1, _options.ChunkRows / latents.shape[1]);
        for (long start = 0; start < count; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var length = Math.Min(chunk, count - start);
            var rows = latents.narrow(0, start, length);
            var x = Project(rows, wOwn, b0);
            for (var k = 0; k < incoming.Length; k++)
            {
                var messages = incoming[k].narrow(0, start, length);
                x = AddProduct(x, messages.dtype == rows.dtype ? messages : messages.to(rows.dtype), wIncoming[k]);
            }

            rows.add_(mlp.Finish(x), Scalars.One);
        }

        wIncoming.ForEach(t => t.Dispose());
    }

    /// <summary>
    /// Requests every parameter in the reference's creation order: edge embedders, node embedders, then per step the edge
    /// and node processors, then the decoders. Widths follow the data: embedded sets are latent-wide.
    /// </summary>
    private NetworkWeights RequestWeights(TypedGraph graph)
    {
        var o = _options;
        var latent = o.LatentSize;
        var edgeWidth = graph.Edges.Select(e => o.EmbedEdges ? latent : e.Features.shape[^1]).ToArray();
        var nodeWidth = graph.Nodes.ToDictionary(kv => kv.Key, kv => o.EmbedNodes ? latent : kv.Value.shape[^1]);

        var edgeEmbedders = o.EmbedEdges
            ? graph.Edges.Select(e => Weights($"encoder_edges_{e.Name}", e.Features.shape[^1], latent, o.UseLayerNorm)).ToArray()
            : [];
        var nodeEmbedders = new List<(string, MlpWeights)>();
        if (o.EmbedNodes)
        {
            foreach (var (set, features) in graph.Nodes)
            {
                nodeEmbedders.Add((set, Weights($"encoder_nodes_{set}", features.shape[^1], latent, o.UseLayerNorm)));
            }
        }

        var edgeUpdaters = new List<MlpWeights[]>();
        var nodeUpdaters = new List<(string, MlpWeights)[]>();
        for (var step = 0; step < o.MessagePassingSteps; step++)
        {
            edgeUpdaters.Add(graph.Edges.Select((e, i) => Weights(
                $"processor_edges_{step}_{e.Name}", edgeWidth[i] + nodeWidth[e.SenderSet] + nodeWidth[e.ReceiverSet], latent, o.UseLayerNorm)).ToArray());
            nodeUpdaters.Add(graph.Nodes.Keys.Select(set => (set, Weights(
                $"processor_nodes_{step}_{set}",
                nodeWidth[set] + graph.Edges.Where(e => e.ReceiverSet == set).Sum(_ => latent),
                latent,
                o.UseLayerNorm))).ToArray());

            // Residuals keep widths: after a step every set is latent-wide.
            Array.Fill(edgeWidth, latent);
            foreach (var set in nodeWidth.Keys)
            {
                nodeWidth[set] = latent;
            }
        }

        var decoders = o.NodeOutputSizes.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, Weights($"decoder_nodes_{kv.Key}", nodeWidth[kv.Key], kv.Value, layerNorm: false)))
            .ToArray();
        return new NetworkWeights(edgeEmbedders, nodeEmbedders, edgeUpdaters, nodeUpdaters, decoders);
    }

    /// <summary>The MLP <c>{prefix}_mlp</c> (and LayerNorm <c>{prefix}_layer_norm</c>) for <paramref name="fanIn"/> inputs.</summary>
    private MlpWeights Weights(string prefix, long fanIn, long outputSize, bool layerNorm)
    {
        var sizes = Enumerable.Repeat(_options.LatentSize, _options.HiddenLayers).Append(outputSize).ToArray();
        var mlp = new Mlp(sizes, t => nn.functional.silu(t), name: $"{prefix}_mlp");
        var layers = new List<(Tensor W, Tensor? B)>();
        var width = fanIn;
        foreach (var layer in mlp.Layers)
        {
            layers.Add(layer.Weights(width));
            width = layer.OutputSize;
        }

        if (!layerNorm)
        {
            return new MlpWeights(layers, mlp.ActivateFinal, null, 0);
        }

        var norm = new LayerNorm(name: $"{prefix}_layer_norm");
        return new MlpWeights(layers, mlp.ActivateFinal, norm.Weights(width), norm.Eps);
    }

    /// <summary>Applies a row-wise function chunk by chunk: <c>[N, b, F] → [N, b, H]</c> in a new tensor.</summary>
    private Tensor Rowwise(Tensor input, long outputWidth, Func<Tensor, Tensor> function)
    {
        var count = input.shape[0];
        var output = torch.empty([count, input.shape[1], outputWidth], input.dtype, input.device);
        var chunk = Math.Max(1, _options.ChunkRows / input.shape[1]);
        for (long start = 0; start < count; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var length = Math.Min(chunk, count - start);
            output.narrow(0, start, length).copy_(function(input.narrow(0, start, length)));
        }

        return output;
    }

    /// <summary>A contiguous copy of <c>[N, 1|b, F]</c> with <paramref name="batch"/> elements (broadcast when it has 1).</summary>
    private static Tensor Materialise(Tensor t, long batch)
    {
        var copy = torch.empty([t.shape[0], batch, t.shape[2]], t.dtype, t.device);
        return copy.copy_(t);
    }

    /// <summary><c>t · w (+ b)</c> over the last axis as one GEMM: <c>[n, b, F] → [n, b, H]</c>.</summary>
    private static Tensor Project(Tensor t, Tensor w, Tensor? b)
    {
        using var rows = t.reshape(-1, t.shape[^1]);
        using var y = Gemm.AddMm(b, rows, w);
        return y.view(t.shape[0], t.shape[1], w.shape[1]);
    }

    /// <summary><c>x + t · w</c>, accumulated into <paramref name="x"/> (contiguous <c>[n, b, H]</c>) when the batch sizes agree.</summary>
    private static Tensor AddProduct(Tensor x, Tensor t, Tensor w)
    {
        if (t.shape[1] != x.shape[1])
        {
            return AddBroadcast(x, Project(t, w, null));
        }

        using var accumulator = x.view(-1, x.shape[^1]);
        using var rows = t.reshape(-1, t.shape[^1]);
        Gemm.AddMmInPlace(accumulator, rows, w);
        return x;
    }

    /// <summary><c>a + b</c> for <c>[n, 1|b, H]</c> operands, in place into the one that already has the result's shape.</summary>
    private static Tensor AddBroadcast(Tensor a, Tensor b) => a.shape[1] >= b.shape[1] ? a.add_(b, Scalars.One) : b.add_(a, Scalars.One);

    /// <summary>Every parameter of one call, by block.</summary>
    private sealed record NetworkWeights(
        MlpWeights[] EdgeEmbedders,
        IReadOnlyList<(string Set, MlpWeights Mlp)> NodeEmbedders,
        IReadOnlyList<MlpWeights[]> EdgeUpdaters,
        IReadOnlyList<(string Set, MlpWeights Mlp)[]> NodeUpdaters,
        IReadOnlyList<(string Set, MlpWeights Mlp)> Decoders);

    /// <summary>One MLP's layers (weight <c>[in, out]</c>, bias) and optional LayerNorm, applied with fused kernels.</summary>
    private sealed record MlpWeights(IReadOnlyList<(Tensor W, Tensor? B)> Layers, bool ActivateFinal, (Tensor Scale, Tensor Offset)? Norm, double Eps)
    {
        public long OutputSize => Layers[^1].W.shape[1];

        /// <summary>The whole MLP (and LayerNorm) on <c>[n, b, F]</c>.</summary>
        public Tensor Apply(Tensor x) => Finish(Project(x, Layers[0].W, Layers[0].B));

        /// <summary>
        /// The MLP after its first layer: swish (in place on <paramref name="firstLayerOutput"/>, which it consumes), the
        /// remaining layers, the LayerNorm.
        /// </summary>
        public Tensor Finish(Tensor firstLayerOutput)
        {
            var x = firstLayerOutput;
            for (var i = 1; i < Layers.Count; i++)
            {
                x.silu_();
                x = Project(x, Layers[i].W, Layers[i].B);
            }

            if (ActivateFinal)
            {
                x.silu_();
            }

            return Norm is { } norm ? nn.functional.layer_norm(x, [x.shape[^1]], norm.Scale, norm.Offset, Eps) : x;
        }
    }
}
