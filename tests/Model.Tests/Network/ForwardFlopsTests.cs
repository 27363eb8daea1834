using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Network;
using GraphCast.Model.Tests.Predictors;

namespace GraphCast.Model.Tests.Network;

/// <summary>The FLOP count of a forward pass from layer shapes, against a count by hand for the tiny preset.</summary>
public sealed class ForwardFlopsTests
{
    [Fact]
    public void The_tiny_preset_costs_what_a_hand_count_of_its_matmuls_gives()
    {
        // tiny: 10° grid (19 × 36 = 684 nodes), mesh 2to2 (162 nodes, 60·(1 + 4 + 16) = 1260 directed edges),
        // 3 mesh2grid edges per grid node, latent 32, one hidden layer, 2 steps, 183 + 3 node inputs, 83 outputs.
        var sizes = GraphSizes.Of(TinyModel.Graphs);
        Assert.Equal(new GraphSizes(684, 162, sizes.Grid2MeshEdges, 1260, 2052), sizes);
        var layout = new TaskLayout(Presets.Tiny.Task);
        Assert.Equal((183, 83), (layout.InputChannels, layout.OutputChannels));
        long e1 = sizes.Grid2MeshEdges;

        var blocks = ForwardFlops.Count(Presets.Tiny.Model, layout.InputChannels, layout.OutputChannels, sizes);

        // An MLP on r rows from k inputs: 2·r·(k·32 + 32·out); LayerNorms, gathers and sums are free.
        string[] names = ["grid2mesh_gnn/embed", "grid2mesh_gnn/step_0", "mesh_gnn/embed", "mesh_gnn/step_0", "mesh_gnn/step_1", "mesh2grid_gnn/embed", "mesh2grid_gnn/step_0", "mesh2grid_gnn/decoder"];
        long[] reference =
        [
            2 * ((e1 * ((4 * 32) + (32 * 32))) + (684 * ((186 * 32) + (32 * 32))) + (162 * ((186 * 32) + (32 * 32)))),
            2 * ((e1 * ((96 * 32) + (32 * 32))) + (684 * ((32 * 32) + (32 * 32))) + (162 * ((64 * 32) + (32 * 32)))),
            2 * 1260 * ((4 * 32) + (32 * 32)),
            2 * ((1260 * ((96 * 32) + (32 * 32))) + (162 * ((64 * 32) + (32 * 32)))),
            2 * ((1260 * ((96 * 32) + (32 * 32))) + (162 * ((64 * 32) + (32 * 32)))),
            2 * 2052 * ((4 * 32) + (32 * 32)),
            2 * ((2052 * ((96 * 32) + (32 * 32))) + (684 * ((64 * 32) + (32 * 32))) + (162 * ((32 * 32) + (32 * 32)))),
            2 * 684 * ((32 * 32) + (32 * 83)),
        ];

        // Executed: an edge MLP's first layer costs (own edges + sender nodes + receiver nodes)·32·32, and the one-step
        // GNNs embed their edges inside the step.
        long g2mEdgeEmbed = 2 * e1 * ((4 * 32) + (32 * 32));
        long m2gEdgeEmbed = 2 * 2052 * ((4 * 32) + (32 * 32));
        long[] executed =
        [
            reference[0] - g2mEdgeEmbed,
            g2mEdgeEmbed + (2 * (((e1 + 684 + 162) * 32 * 32) + (e1 * 32 * 32) + (684 * ((32 * 32) + (32 * 32))) + (162 * ((64 * 32) + (32 * 32))))),
            reference[2],
            2 * (((1260 + 162 + 162) * 32 * 32) + (1260 * 32 * 32) + (162 * ((64 * 32) + (32 * 32)))),
            2 * (((1260 + 162 + 162) * 32 * 32) + (1260 * 32 * 32) + (162 * ((64 * 32) + (32 * 32)))),
            0,
            m2gEdgeEmbed + (2 * (((2052 + 162 + 684) * 32 * 32) + (2052 * 32 * 32) + (684 * ((64 * 32) + (32 * 32))) + (162 * ((32 * 32) + (32 * 32))))),
            reference[7],
        ];

        Assert.Equal(names, blocks.Select(b => b.Block));
        Assert.Equal(reference, blocks.Select(b => b.Reference));
        Assert.Equal(executed, blocks.Select(b => b.Executed));

        // With the structural terms cached: no edge embeddings, no first-step own terms (E·32·32), no mesh-node embedding.
        long[] cached =
        [
            2 * 684 * ((186 * 32) + (32 * 32)),
            executed[1] - g2mEdgeEmbed - (2 * e1 * 32 * 32),
            0,
            executed[3] - (2 * 1260 * 32 * 32),
            executed[4],
            0,
            executed[6] - m2gEdgeEmbed - (2 * 2052 * 32 * 32),
            reference[7],
        ];
        var withCache = ForwardFlops.Count(Presets.Tiny.Model, layout.InputChannels, layout.OutputChannels, sizes, structuralTermsCached: true);
        Assert.Equal(reference, withCache.Select(b => b.Reference));
        Assert.Equal(cached, withCache.Select(b => b.Executed));
    }

    [Fact]
    public void Graphcast_small_costs_about_4_tflop_in_the_reference_algebra()
    {
        // graphcast-small's graphs: 1° grid (181 × 360), mesh 2to5 (10,242 nodes, 81,900 edges), 3 mesh2grid edges per
        // grid node; the grid2mesh edge count is taken as 1.6 per grid node (its exact value needs the 1° graph). The
        // figure usually quoted for one GraphCast_small forward is 4.1 TFLOP.
        var layout = new TaskLayout(Presets.GraphCastSmall.Task);
        var sizes = new GraphSizes(65_160, 10_242, 104_256, 81_900, 195_480);
        var blocks = ForwardFlops.Count(Presets.GraphCastSmall.Model, layout.InputChannels, layout.OutputChannels, sizes);
        var reference = blocks.Sum(b => b.Reference) / 1e12;
        var executed = blocks.Sum(b => b.Executed) / 1e12;
        Assert.InRange(reference, 4.0, 4.25);
        // Projecting node latents before the gather saves about a third of the multiply-adds.
        Assert.InRange(executed / reference, 0.6, 0.7);
        Assert.Equal(2 + 1 + 16 + 3, blocks.Count);
    }
}
