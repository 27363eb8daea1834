using GraphCast.Model.Configuration;
using GraphCast.Model.Geometry;

namespace GraphCast.Model.Network;

/// <summary>
/// Counts the multiply-add work of one GraphCast forward pass (one batch element) from the layer shapes: 2·M·K·N per
/// matmul of an [M, K] input by a [K, N] weight. Gathers, sums, biases, activations and LayerNorms count as 0 FLOPs
/// (they are memory traffic, not arithmetic), as in the usual accounting of GNN cost.
/// </summary>
/// <remarks>
/// Two counts per block. <b>Reference</b>: every MLP on its concatenated input, e.g. a processor edge MLP costs
/// E·(3L·L + L·L) multiply-adds — the count that "4.1 TFLOP for GraphCast_small" refers to. <b>Executed</b>: this port
/// applies an edge MLP's first layer piece by piece, projecting sender and receiver latents once per node before gathering
/// them (E·L·L + N_senders·L·L + N_receivers·L·L); node MLPs, embedders and the decoder are the same in both, but the
/// edge embedders of the one-step GNNs run inside their step (chunk by chunk), so their work is counted there. With
/// the structural terms cached (<see cref="StructuralTermsCache"/>, from the second step on), executed work leaves out
/// the edge embeddings, their first-step own terms (E·L·L each) and the mesh nodes' embedding in grid2mesh.
/// A batch of B costs B times as much (except the structural edge embeddings, which are shared).
/// </remarks>
public static class ForwardFlops
{
    /// <summary>Per-block counts in the order the blocks run.</summary>
    /// <param name="model">Latent size, hidden layers and message-passing steps.</param>
    /// <param name="inputChannels">Data channels per grid node (<see cref="Fields.TaskLayout.InputChannels"/>), without the 3 structural features.</param>
    /// <param name="outputChannels">Channels the decoder predicts per grid node.</param>
    /// <param name="graphs">Node and edge counts of the three graphs.</param>
    /// <param name="structuralTermsCached">Count executed work with the structural terms read from the cache.</param>
    public static IReadOnlyList<BlockFlops> Count(ModelConfig model, int inputChannels, int outputChannels, GraphSizes graphs, bool structuralTermsCached = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graphs);
        long latent = model.LatentSize;
        var hidden = model.HiddenLayers;
        var nodeInput = inputChannels + (long)Fields.TaskLayout.StructuralNodeFeatures;
        const long EdgeInput = StructuralFeatures.EdgeFeatureCount;
        long g = graphs.GridNodes, n = graphs.MeshNodes;

        // An MLP: layers [in → L] (hidden times) then [L → out]; with no hidden layer, one layer [in → out].
        long Mlp(long rows, long fanIn, long output) => 2 * rows * ((fanIn * FirstWidth(output)) + Rest(output));
        long FirstWidth(long output) => hidden > 0 ? latent : output;
        long Rest(long output) => hidden == 0 ? 0 : ((hidden - 1) * latent * latent) + (latent * output);

        // A processor edge MLP, first layer piece by piece: own features per edge, sender/receiver latents per node.
        long EdgeExecuted(long edges, long senders, long receivers) =>
            (2 * ((edges + senders + receivers) * latent * FirstWidth(latent))) + (2 * edges * Rest(latent));

        BlockFlops Same(string block, long flops) => new(block, flops, flops);

        // Work that the cache replaces: an edge set's embedding and first-step own term; a static node set's embedding.
        var cached = structuralTermsCached ? 1 : 0;
        long OwnTerm(long edges) => 2 * edges * latent * FirstWidth(latent);

        var blocks = new List<BlockFlops>();

        // grid2mesh: embed grid nodes, mesh nodes (zeros + structural, as wide as the grid's) and edges; one step in
        // which mesh nodes receive messages and grid nodes (no incoming edges) update from their own latent.
        // The one-step GNNs (grid2mesh, mesh2grid) embed their edges chunk by chunk inside the step: executed, that work
        // belongs to the step block.
        var e1 = graphs.Grid2MeshEdges;
        var g2mEdgeEmbed = Mlp(e1, EdgeInput, latent);
        var g2mNodeEmbed = Mlp(g, nodeInput, latent) + Mlp(n, nodeInput, latent);
        blocks.Add(new("grid2mesh_gnn/embed", g2mEdgeEmbed + g2mNodeEmbed, g2mNodeEmbed - (cached * Mlp(n, nodeInput, latent))));
        var g2mNodes = Mlp(g, latent, latent) + Mlp(n, 2 * latent, latent);
        blocks.Add(new(
            "grid2mesh_gnn/step_0",
            Mlp(e1, 3 * latent, latent) + g2mNodes,
            (g2mEdgeEmbed + EdgeExecuted(e1, g, n) + g2mNodes) - (cached * (g2mEdgeEmbed + OwnTerm(e1)))));

        // mesh: embed edges; gnn_msg_steps unshared steps on the multi-mesh.
        var e2 = graphs.MeshEdges;
        var meshEdgeEmbed = Mlp(e2, EdgeInput, latent);
        blocks.Add(new("mesh_gnn/embed", meshEdgeEmbed, meshEdgeEmbed - (cached * meshEdgeEmbed)));
        var meshNodes = Mlp(n, 2 * latent, latent);
        for (var step = 0; step < model.GnnMsgSteps; step++)
        {
            var ownCached = step == 0 ? cached * OwnTerm(e2) : 0;
            blocks.Add(new($"mesh_gnn/step_{step}", Mlp(e2, 3 * latent, latent) + meshNodes, EdgeExecuted(e2, n, n) + meshNodes - ownCached));
        }

        // mesh2grid: embed edges; one step in which grid nodes receive messages and mesh nodes update from their own
        // latent (unused afterwards, but the reference computes it); the decoder on grid nodes.
        var e3 = graphs.Mesh2GridEdges;
        var m2gEdgeEmbed = Mlp(e3, EdgeInput, latent);
        blocks.Add(new("mesh2grid_gnn/embed", m2gEdgeEmbed, 0));
        var m2gNodes = Mlp(g, 2 * latent, latent) + Mlp(n, latent, latent);
        blocks.Add(new(
            "mesh2grid_gnn/step_0",
            Mlp(e3, 3 * latent, latent) + m2gNodes,
            (m2gEdgeEmbed + EdgeExecuted(e3, n, g) + m2gNodes) - (cached * (m2gEdgeEmbed + OwnTerm(e3)))));
        blocks.Add(Same("mesh2grid_gnn/decoder", Mlp(g, latent, outputChannels)));
        return blocks;
    }
}
