using GraphCast.Model.Geometry;

namespace GraphCast.Model.Network;

/// <summary>The graph sizes that set the cost of a forward pass.</summary>
public sealed record GraphSizes(long GridNodes, long MeshNodes, long Grid2MeshEdges, long MeshEdges, long Mesh2GridEdges)
{
    public static GraphSizes Of(GraphCastGraphs graphs) => new(
        graphs.GridNodeCount, graphs.MeshNodeCount, graphs.Grid2MeshEdges.Count, graphs.MeshEdges.Count, graphs.Mesh2GridEdges.Count);
}
