namespace GraphCast.Model.Configuration;

/// <summary>
/// The network's architecture (the reference's frozen <c>ModelConfig</c>): grid resolution, mesh refinement, latent size,
/// message-passing steps, MLP depth and the graph-building constants. A checkpoint carries its own and it wins.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Grid spacing in degrees (0 means "any grid").</summary>
    public required double Resolution { get; init; }

    /// <summary>Number of icosahedron refinements; the multi-mesh holds levels 0..MeshSize.</summary>
    public required int MeshSize { get; init; }

    public required int LatentSize { get; init; }

    public required int GnnMsgSteps { get; init; }

    public required int HiddenLayers { get; init; }

    /// <summary>Grid2mesh radius as a fraction of the finest mesh's longest edge.</summary>
    public required double RadiusQueryFractionEdgeLength { get; init; }

    /// <summary>Normalisation of mesh2grid edge features; null → the graph's own longest edge.</summary>
    public double? Mesh2GridEdgeNormalizationFactor { get; init; }

    /// <summary>Checks the values a user or a checkpoint can get wrong; names the field and the fix.</summary>
    public void Validate()
    {
        if (Resolution < 0 || (Resolution > 0 && Math.Abs((180.0 / Resolution) - Math.Round(180.0 / Resolution)) > 1e-9))
        {
            throw new ArgumentException($"model_config.resolution {Resolution} must be 0 (any grid) or divide 180°, e.g. 0.25, 1 or 10.");
        }

        if (MeshSize is < 0 or > 7)
        {
            throw new ArgumentException($"model_config.mesh_size {MeshSize} must be between 0 and 7 (the published models use 5 or 6).");
        }

        if (LatentSize <= 0 || GnnMsgSteps <= 0 || HiddenLayers < 0)
        {
            throw new ArgumentException($"model_config latent_size ({LatentSize}) and gnn_msg_steps ({GnnMsgSteps}) must be positive and hidden_layers ({HiddenLayers}) not negative.");
        }

        if (RadiusQueryFractionEdgeLength <= 0)
        {
            throw new ArgumentException($"model_config.radius_query_fraction_edge_length {RadiusQueryFractionEdgeLength} must be positive (the published models use 0.6).");
        }
    }
}
