using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>
/// GraphCast's encoder–processor–decoder (the reference's <c>GraphCast</c> predictor core): grid2mesh GNN (embeds grid and
/// mesh nodes and grid2mesh edges, one step updating both node sets), mesh GNN (<c>gnn_msg_steps</c> unshared steps on the
/// multi-mesh) and mesh2grid GNN (one step, then the decoder MLP on grid nodes). Like the reference it is not itself a
/// module: its three GNNs are top-level modules named <c>grid2mesh_gnn</c>, <c>mesh_gnn</c> and <c>mesh2grid_gnn</c>.
/// Construct and call it inside a transform.
/// </summary>
public sealed class GraphCastNetwork
{
    private const string GridNodes = "grid_nodes";
    private const string MeshNodes = "mesh_nodes";

    private readonly ModelConfig _config;
    private readonly TaskLayout _layout;
    private readonly GraphTensors _graphs;
    private readonly long _chunkRows;
    private readonly StructuralTermsCache? _structuralTerms;
    private readonly int _conditioningChannels;

    /// <param name="config">The architecture.</param>
    /// <param name="layout">The task's input and output channels.</param>
    /// <param name="graphs">The three graphs on the compute device.</param>
    /// <param name="chunkRows">Rows per chunk of the edge and node passes (<see cref="DeepTypedGraphNetOptions.ChunkRows"/>).</param>
    /// <param name="structuralTerms">Where to keep the terms of the structural features between calls (null: recompute).</param>
    /// <param name="conditioningChannels">Extra input channels after the task's (a regional nest's parent fields; 0 globally).</param>
    public GraphCastNetwork(ModelConfig config, TaskLayout layout, GraphTensors graphs, long chunkRows = DeepTypedGraphNetOptions.DefaultChunkRows, StructuralTermsCache? structuralTerms = null, int conditioningChannels = 0)
    {
        _conditioningChannels = conditioningChannels;
        _config = config;
        _layout = layout;
        _graphs = graphs;
        _chunkRows = chunkRows;
        _structuralTerms = structuralTerms;
    }

    /// <summary>
    /// One forward pass: normalised stacked inputs <c>[num_grid_nodes, batch, input_channels]</c> → normalised outputs
    /// <c>[num_grid_nodes, batch, output_channels]</c>, computed in the inputs' dtype.
    /// </summary>
    public Tensor Call(Tensor gridInputs)
    {
        if (gridInputs.dim() != 3 || gridInputs.shape[0] != _graphs.GridNodeCount || gridInputs.shape[2] != _layout.InputChannels + _conditioningChannels)
        {
            throw new ArgumentException(
                $"GraphCast expects inputs [num_grid_nodes={_graphs.GridNodeCount}, batch, channels={_layout.InputChannels + _conditioningChannels}], got [{string.Join(", ", gridInputs.shape)}].",
                nameof(gridInputs));
        }

        var dtype = gridInputs.dtype;
        var batch = gridInputs.shape[1];
        var gridStructural = _graphs.GridNodeFeatures.to(dtype).expand(_graphs.GridNodeCount, batch, -1);
        var meshStructural = _graphs.MeshNodeFeatures.to(dtype);

        // Grid2mesh: grid nodes carry [inputs, structural]; mesh nodes [zeros of the same width, structural].
        var gridFeatures = torch.cat([gridInputs, gridStructural], 2);
        var meshFeatures = torch.cat([torch.zeros([_graphs.MeshNodeCount, 1, gridInputs.shape[2]], dtype, gridInputs.device), meshStructural], 2);
        // Structural inputs (the same in every call): the edge features, and the mesh nodes' [zeros, structural] features.
        var grid2mesh = new DeepTypedGraphNet(Options(embedNodes: true, steps: 1, f32Aggregation: true, "grid2mesh", MeshNodes), "grid2mesh_gnn");
        var (encoded, _) = grid2mesh.Call(new TypedGraph(
            new Dictionary<string, Tensor> { [GridNodes] = gridFeatures, [MeshNodes] = meshFeatures },
            [Edge("grid2mesh", GridNodes, MeshNodes, _graphs.Grid2Mesh, dtype)]));
        var gridLatent = encoded.Nodes[GridNodes];   // [num_grid_nodes, batch, latent]
        var meshLatent = encoded.Nodes[MeshNodes];   // [num_mesh_nodes, batch, latent]

        // Processor on the multi-mesh.
        var meshGnn = new DeepTypedGraphNet(Options(embedNodes: false, steps: _config.GnnMsgSteps, f32Aggregation: false, "mesh"), "mesh_gnn");
        var (processed, _) = meshGnn.Call(new TypedGraph(
            new Dictionary<string, Tensor> { [MeshNodes] = meshLatent },
            [Edge("mesh", MeshNodes, MeshNodes, _graphs.Mesh, dtype)]));

        // Mesh2grid and the decoder.
        var mesh2grid = new DeepTypedGraphNet(
            Options(embedNodes: false, steps: 1, f32Aggregation: false, "mesh2grid") with
            {
                NodeOutputSizes = new Dictionary<string, long> { [GridNodes] = _layout.OutputChannels },
            },
            "mesh2grid_gnn");
        var (_, decoded) = mesh2grid.Call(new TypedGraph(
            new Dictionary<string, Tensor> { [MeshNodes] = processed.Nodes[MeshNodes], [GridNodes] = gridLatent },
            [Edge("mesh2grid", MeshNodes, GridNodes, _graphs.Mesh2Grid, dtype)]));
        return decoded[GridNodes];
    }

    private DeepTypedGraphNetOptions Options(bool embedNodes, int steps, bool f32Aggregation, params string[] staticInputs) => new()
    {
        LatentSize = _config.LatentSize,
        HiddenLayers = _config.HiddenLayers,
        MessagePassingSteps = steps,
        EmbedNodes = embedNodes,
        EmbedEdges = true,
        UseLayerNorm = true,
        F32Aggregation = f32Aggregation,
        // GraphCast reads only node latents between its three GNNs.
        KeepEdgeLatents = false,
        ChunkRows = _chunkRows,
        StaticInputs = staticInputs.ToHashSet(StringComparer.Ordinal),
        Cache = _structuralTerms,
    };

    private static EdgeSet Edge(string name, string senders, string receivers, EdgeTensors tensors, ScalarType dtype) =>
        new(name, senders, receivers, tensors.Senders, tensors.Receivers, tensors.Features.to(dtype));
}
