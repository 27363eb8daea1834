using GraphCast.Model;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// Device memory of a model on a silo: its parameters (held once, shared by all members) and the working set of one step
/// (float32 activations). The step estimate counts the tensors that are alive together in the chunked forward pass —
/// grid-node inputs, outputs and latents (about five latent-sized buffers: embedding, residual, MLP hidden, two
/// aggregations), the mesh nodes' and mesh edges' latents, and one chunk of edge rows with its MLP buffers — and the
/// member's carry — and doubles it for what that count leaves out (allocator slack, temporaries, the graphs and forcings).
/// For graphcast-small the count is 1.30 GB, so a step is admitted as 2.60 GB beside 0.14 GB of parameters: 2.74 GB against
/// a measured peak RSS of 2.9–3.0 GB for the whole benchmark process (docs/benchmarks.md). It is an estimate for admission,
/// not an accounting.
/// </summary>
public static class StepMemory
{
    public static long ParameterBytes(GraphCastModel model) => model.Params.TotalBytes;

    public static long StepBytes(GraphCastModel model)
    {
        var g = model.Graphs;
        var latent = (long)model.Config.LatentSize;
        var layout = model.Predictor.Layout;
        var grid = (long)g.GridNodeCount;
        var chunk = Math.Min(GraphCast.Model.Network.DeepTypedGraphNetOptions.DefaultChunkRows, Math.Max(g.Grid2MeshEdges.Count, g.Mesh2GridEdges.Count));
        var floats =
            (grid * ((2L * layout.InputChannels) + (2L * layout.OutputChannels) + (5 * latent)))
            + ((long)g.MeshNodeCount * 5 * latent)
            + ((long)g.MeshEdges.Count * 2 * latent)
            + (chunk * 6 * latent);
        return 2 * floats * sizeof(float);
    }
}
