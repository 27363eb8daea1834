using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Network;
using GraphCast.Model.Tests.Predictors;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Network;

/// <summary>
/// The optimised network (piecewise first layers, fused biases, in-place updates) against a plain transcription of the
/// reference algebra: every MLP on its concatenated input, messages summed per receiver, residuals, LayerNorm.
/// </summary>
public sealed class GraphCastNetworkAlgebraTests
{
    private const string Grid2Mesh = "grid2mesh_gnn/~_networks_builder/";
    private const string MeshGnn = "mesh_gnn/~_networks_builder/";
    private const string Mesh2Grid = "mesh2grid_gnn/~_networks_builder/";

    [Theory]
    [InlineData(1, DeepTypedGraphNetOptions.DefaultChunkRows, false)]
    [InlineData(2, DeepTypedGraphNetOptions.DefaultChunkRows, false)]
    [InlineData(1, 100, false)]
    [InlineData(2, 77, false)]
    [InlineData(1, 100, true)]
    [InlineData(2, 77, true)]
    public void The_network_equals_the_reference_concat_then_matmul_algebra_to_float_rounding(long batch, long chunkRows, bool cacheStructuralTerms)
    {
        var model = Presets.Tiny.Model;
        var layout = new TaskLayout(Presets.Tiny.Task);
        using var graphs = GraphTensors.From(TinyModel.Graphs);
        using var cache = cacheStructuralTerms ? new StructuralTermsCache() : null;
        using var scope = torch.NewDisposeScope();
        var network = Transform.Stateless<Tensor, Tensor>(x => new GraphCastNetwork(model, layout, graphs, chunkRows, cache).Call(x));
        var inputs = torch.randn([graphs.GridNodeCount, batch, layout.InputChannels], generator: new Generator(7));
        using var p = network.Init(RngKey.FromSeed(5), inputs);
        // Random, non-trivial LayerNorm scales and offsets and biases (Init makes them 1 and 0).
        var noise = new Generator(11);
        using var parameters = p.Map(t => t.add(torch.randn(t.shape, generator: noise).mul(0.1)));

        var actual = network.Apply(parameters, null, inputs);
        var expected = Reference(parameters, graphs, model, layout, inputs);

        Assert.Equal(expected.shape, actual.shape);
        var relative = (actual - expected).norm().item<float>() / expected.norm().item<float>();
        Assert.True(relative < 1e-5, $"relative L2 difference {relative}");

        // A second call reads the structural terms the first one cached (grid2mesh mesh-node embedding and own term,
        // mesh edge embedding and own term, mesh2grid own term) and gives the same result bit for bit.
        var again = network.Apply(parameters, null, inputs);
        Assert.Equal(cacheStructuralTerms ? 5 : 0, cache?.Count ?? 0);
        Assert.True(actual.eq(again).all().item<bool>());
    }

    [Fact]
    public void Cached_structural_terms_belong_to_the_parameters_they_were_computed_with()
    {
        var model = Presets.Tiny.Model;
        var layout = new TaskLayout(Presets.Tiny.Task);
        using var graphs = GraphTensors.From(TinyModel.Graphs);
        using var cache = new StructuralTermsCache();
        using var scope = torch.NewDisposeScope();
        var cached = Transform.Stateless<Tensor, Tensor>(x => new GraphCastNetwork(model, layout, graphs, 100, cache).Call(x));
        var plain = Transform.Stateless<Tensor, Tensor>(x => new GraphCastNetwork(model, layout, graphs, 100).Call(x));
        var inputs = torch.randn([graphs.GridNodeCount, 1, layout.InputChannels], generator: new Generator(3));
        using var a = cached.Init(RngKey.FromSeed(1), inputs);
        using var b = cached.Init(RngKey.FromSeed(2), inputs);

        foreach (var p in new[] { a, b, a })
        {
            var expected = plain.Apply(p, null, inputs);
            var actual = cached.Apply(p, null, inputs);
            var relative = (actual - expected).norm().item<float>() / expected.norm().item<float>();
            Assert.True(relative < 1e-5, $"relative L2 difference {relative}");
        }

        Assert.False(cached.Apply(a, null, inputs).allclose(cached.Apply(b, null, inputs)));
    }

    /// <summary>The reference's encoder–processor–decoder, written the direct way.</summary>
    private static Tensor Reference(Params p, GraphTensors g, ModelConfig model, TaskLayout layout, Tensor inputs)
    {
        var batch = inputs.shape[1];
        Tensor Mlp(string module, Tensor x, bool layerNorm = true)
        {
            var h = nn.functional.silu(x.matmul(p[$"{module}_mlp/~/linear_0", "w"]) + p[$"{module}_mlp/~/linear_0", "b"]);
            h = h.matmul(p[$"{module}_mlp/~/linear_1", "w"]) + p[$"{module}_mlp/~/linear_1", "b"];
            return layerNorm ? nn.functional.layer_norm(h, [h.shape[^1]], p[$"{module}_layer_norm", "scale"], p[$"{module}_layer_norm", "offset"], 1e-5) : h;
        }

        Tensor Broadcast(Tensor t) => t.expand(t.shape[0], batch, t.shape[2]);
        Tensor SegmentSum(Tensor messages, Tensor receivers, long n) =>
            torch.zeros([n, messages.shape[1], messages.shape[2]]).index_add_(0, receivers, messages, 1);

        // One interaction step on an edge set: returns (edge update, receiver-node update input).
        (Tensor Edges, Tensor Aggregated) Edges(string module, Tensor e, Tensor senders, Tensor receivers, EdgeTensors set, long receiverCount)
        {
            var updated = Mlp(module, torch.cat([Broadcast(e), Broadcast(senders.index_select(0, set.Senders)), Broadcast(receivers.index_select(0, set.Receivers))], 2));
            return (updated, SegmentSum(updated, set.Receivers, receiverCount));
        }

        // grid2mesh: grid nodes [inputs, structural]; mesh nodes [zeros, structural].
        var gridFeatures = torch.cat([inputs, Broadcast(g.GridNodeFeatures)], 2);
        var meshFeatures = torch.cat([torch.zeros([g.MeshNodeCount, batch, inputs.shape[2]]), Broadcast(g.MeshNodeFeatures)], 2);
        var grid = Mlp(Grid2Mesh + "encoder_nodes_grid_nodes", gridFeatures);
        var mesh = Mlp(Grid2Mesh + "encoder_nodes_mesh_nodes", meshFeatures);
        var e = Mlp(Grid2Mesh + "encoder_edges_grid2mesh", g.Grid2Mesh.Features);
        var (e1, agg) = Edges(Grid2Mesh + "processor_edges_0_grid2mesh", e, grid, mesh, g.Grid2Mesh, g.MeshNodeCount);
        var meshUpdate = Mlp(Grid2Mesh + "processor_nodes_0_mesh_nodes", torch.cat([mesh, agg], 2));
        var gridUpdate = Mlp(Grid2Mesh + "processor_nodes_0_grid_nodes", grid);
        mesh = mesh + meshUpdate;
        grid = grid + gridUpdate;
        _ = e1;

        // Processor on the multi-mesh.
        e = Broadcast(Mlp(MeshGnn + "encoder_edges_mesh", g.Mesh.Features));
        for (var step = 0; step < model.GnnMsgSteps; step++)
        {
            var (updated, aggregated) = Edges($"{MeshGnn}processor_edges_{step}_mesh", e, mesh, mesh, g.Mesh, g.MeshNodeCount);
            var update = Mlp($"{MeshGnn}processor_nodes_{step}_mesh_nodes", torch.cat([mesh, aggregated], 2));
            e = e + updated;
            mesh = mesh + update;
        }

        // mesh2grid and the decoder.
        e = Mlp(Mesh2Grid + "encoder_edges_mesh2grid", g.Mesh2Grid.Features);
        var (_, toGrid) = Edges(Mesh2Grid + "processor_edges_0_mesh2grid", e, mesh, grid, g.Mesh2Grid, g.GridNodeCount);
        grid = grid + Mlp(Mesh2Grid + "processor_nodes_0_grid_nodes", torch.cat([grid, toGrid], 2));
        Assert.Equal(layout.OutputChannels, p[Mesh2Grid + "decoder_nodes_grid_nodes_mlp/~/linear_1", "w"].shape[1]);
        return Mlp(Mesh2Grid + "decoder_nodes_grid_nodes", grid, layerNorm: false);
    }
}
