namespace GraphCast.Model.Geometry;

/// <summary>
/// Everything GraphCast's network needs from geometry for one <see cref="GraphCastGraphSpec"/>: node counts, the
/// multimesh edges, the grid2mesh and mesh2grid edges, and all their structural features (float32, flat, row-major).
/// Built once per spec (see <see cref="GraphCache"/> to keep it on disk) and shared read-only.
/// </summary>
public sealed class GraphCastGraphs
{
    internal GraphCastGraphs(
        GraphCastGraphSpec spec,
        int meshNodeCount,
        float[] gridNodeFeatures,
        float[] meshNodeFeatures,
        GraphEdges meshEdges,
        EdgeFeatures meshEdgeFeatures,
        GraphEdges grid2MeshEdges,
        EdgeFeatures grid2MeshEdgeFeatures,
        GraphEdges mesh2GridEdges,
        EdgeFeatures mesh2GridEdgeFeatures)
    {
        Spec = spec;
        MeshNodeCount = meshNodeCount;
        GridNodeFeatures = gridNodeFeatures;
        MeshNodeFeatures = meshNodeFeatures;
        MeshEdges = meshEdges;
        MeshEdgeFeatures = meshEdgeFeatures;
        Grid2MeshEdges = grid2MeshEdges;
        Grid2MeshEdgeFeatures = grid2MeshEdgeFeatures;
        Mesh2GridEdges = mesh2GridEdges;
        Mesh2GridEdgeFeatures = mesh2GridEdgeFeatures;
    }

    /// <summary>The inputs these graphs were built from.</summary>
    public GraphCastGraphSpec Spec { get; }

    /// <summary>Grid nodes, num_lat · num_lon; node index = lat_index · num_lon + lon_index.</summary>
    public int GridNodeCount => Spec.GridNodeCount;

    /// <summary>Mesh nodes: the finest mesh's vertices, 10·4^mesh_size + 2.</summary>
    public int MeshNodeCount { get; }

    /// <summary>[num_grid_nodes, 3] = [sin(lat), cos(lon), sin(lon)].</summary>
    public float[] GridNodeFeatures { get; }

    /// <summary>[num_mesh_nodes, 3] = [sin(lat), cos(lon), sin(lon)].</summary>
    public float[] MeshNodeFeatures { get; }

    /// <summary>Multimesh edges (mesh → mesh), faces of levels 0..mesh_size, coarse first.</summary>
    public GraphEdges MeshEdges { get; }

    /// <summary>[num_mesh_edges, 4], normalised by the longest multimesh edge (the level-0 chord).</summary>
    public EdgeFeatures MeshEdgeFeatures { get; }

    /// <summary>Grid → mesh edges (senders grid, receivers mesh), by grid index then mesh index.</summary>
    public GraphEdges Grid2MeshEdges { get; }

    /// <summary>[num_grid2mesh_edges, 4], normalised by their own longest edge.</summary>
    public EdgeFeatures Grid2MeshEdgeFeatures { get; }

    /// <summary>Mesh → grid edges (senders mesh, receivers grid), 3 per grid node, grid-major.</summary>
    public GraphEdges Mesh2GridEdges { get; }

    /// <summary>[num_mesh2grid_edges, 4], normalised by the spec's factor when given, else their own longest edge.</summary>
    public EdgeFeatures Mesh2GridEdgeFeatures { get; }

    /// <summary>Builds the graphs for <paramref name="spec"/> (about 2 s for the 0.25° grid on two cores).</summary>
    public static GraphCastGraphs Build(GraphCastGraphSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var meshes = IcosahedralMesh.Hierarchy(spec.MeshSize);
        var finest = meshes[^1];
        var multimesh = IcosahedralMesh.Merge(meshes);

        var (meshLat, meshLon) = StructuralFeatures.MeshNodeLatLon(finest.Vertices);
        var (gridLat, gridLon) = StructuralFeatures.GridNodeLatLon(spec.GridLatitudes, spec.GridLongitudes);

        var meshEdges = multimesh.Edges();
        var meshEdgeFeatures = StructuralFeatures.Edges(meshLat, meshLon, meshEdges);

        var radius = GridMeshConnectivity.QueryRadius(finest, spec.RadiusQueryFractionEdgeLength);
        var grid2Mesh = GridMeshConnectivity.RadiusQuery(spec.GridLatitudes, spec.GridLongitudes, finest, radius);
        var grid2MeshFeatures = StructuralFeatures.Edges(gridLat, gridLon, meshLat, meshLon, grid2Mesh);

        var mesh2Grid = GridMeshConnectivity.ContainingTriangles(spec.GridLatitudes, spec.GridLongitudes, finest);
        var mesh2GridFeatures = StructuralFeatures.Edges(meshLat, meshLon, gridLat, gridLon, mesh2Grid, spec.Mesh2GridEdgeNormalizationFactor);

        return new GraphCastGraphs(
            spec,
            finest.VertexCount,
            StructuralFeatures.NodeFeatures(gridLat, gridLon),
            StructuralFeatures.NodeFeatures(meshLat, meshLon),
            meshEdges,
            meshEdgeFeatures,
            grid2Mesh,
            grid2MeshFeatures,
            mesh2Grid,
            mesh2GridFeatures);
    }
}
