using GraphCast.Model.Geometry;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>
/// The three graphs of one configuration as tensors on a device, built once per silo and config and shared read-only by
/// every Apply: structural node features <c>[num_nodes, 1, 3]</c>, int64 sender/receiver indices <c>[num_edges]</c> and
/// edge features <c>[num_edges, 1, 4]</c> (the batch axis of size 1 broadcasts).
/// </summary>
public sealed class GraphTensors : IDisposable
{
    private GraphTensors(GraphCastGraphs graphs, Device device)
    {
        Graphs = graphs;
        using var scope = torch.NewDisposeScope();
        GridNodeFeatures = Features(graphs.GridNodeFeatures, StructuralFeatures.NodeFeatureCount, device);
        MeshNodeFeatures = Features(graphs.MeshNodeFeatures, StructuralFeatures.NodeFeatureCount, device);
        Grid2Mesh = Edges(graphs.Grid2MeshEdges, graphs.Grid2MeshEdgeFeatures, device);
        Mesh = Edges(graphs.MeshEdges, graphs.MeshEdgeFeatures, device);
        Mesh2Grid = Edges(graphs.Mesh2GridEdges, graphs.Mesh2GridEdgeFeatures, device);
        foreach (var t in AllTensors())
        {
            t.DetachFromDisposeScope();
        }
    }

    public GraphCastGraphs Graphs { get; }

    /// <summary>[num_grid_nodes, 1, 3]: sin lat, cos lon, sin lon.</summary>
    public Tensor GridNodeFeatures { get; }

    /// <summary>[num_mesh_nodes, 1, 3].</summary>
    public Tensor MeshNodeFeatures { get; }

    public EdgeTensors Grid2Mesh { get; }

    public EdgeTensors Mesh { get; }

    public EdgeTensors Mesh2Grid { get; }

    public long GridNodeCount => GridNodeFeatures.shape[0];

    public long MeshNodeCount => MeshNodeFeatures.shape[0];

    public static GraphTensors From(GraphCastGraphs graphs, Device? device = null) => new(graphs, device ?? CPU);

    public void Dispose()
    {
        foreach (var t in AllTensors())
        {
            t.Dispose();
        }
    }

    private IEnumerable<Tensor> AllTensors() =>
    [
        GridNodeFeatures, MeshNodeFeatures,
        Grid2Mesh.Senders, Grid2Mesh.Receivers, Grid2Mesh.Features,
        Mesh.Senders, Mesh.Receivers, Mesh.Features,
        Mesh2Grid.Senders, Mesh2Grid.Receivers, Mesh2Grid.Features,
    ];

    private static Tensor Features(float[] values, int width, Device device) =>
        torch.tensor(values, [values.Length / width, 1, width]).to(device);

    private static EdgeTensors Edges(GraphEdges edges, EdgeFeatures features, Device device) => new(
        torch.tensor(edges.Senders.Select(i => (long)i).ToArray()).to(device),
        torch.tensor(edges.Receivers.Select(i => (long)i).ToArray()).to(device),
        Features(features.Values, StructuralFeatures.EdgeFeatureCount, device));
}
