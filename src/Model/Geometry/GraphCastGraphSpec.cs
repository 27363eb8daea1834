using System.Globalization;

namespace GraphCast.Model.Geometry;

/// <summary>
/// The inputs that fully determine GraphCast's graphs: the grid's latitude and longitude axes (float32 degrees, as the
/// model casts them), the mesh refinement (<c>mesh_size</c>: levels 0..mesh_size in the multimesh), the grid2mesh
/// <c>radius_query_fraction_edge_length</c> and the optional <c>mesh2grid_edge_normalization_factor</c>.
/// </summary>
public sealed record GraphCastGraphSpec
{
    /// <summary>The largest supported mesh_size (10·4^10 + 2 ≈ 10 million vertices).</summary>
    public const int MaxMeshSize = 10;

    /// <summary>Creates a spec; the arrays are copied.</summary>
    /// <param name="gridLatitudes">[num_lat] degrees in [−90, 90], in dataset order.</param>
    /// <param name="gridLongitudes">[num_lon] degrees, in dataset order.</param>
    /// <param name="meshSize">Number of two-splits of the icosahedron (GraphCast: 6 at 0.25°, 5 for GraphCast_small).</param>
    /// <param name="radiusQueryFractionEdgeLength">Grid2mesh radius as a fraction of the finest mesh's longest edge.</param>
    /// <param name="mesh2GridEdgeNormalizationFactor">Fixed N for the mesh2grid edge features, or null for their own maximum.</param>
    public GraphCastGraphSpec(
        float[] gridLatitudes,
        float[] gridLongitudes,
        int meshSize,
        double radiusQueryFractionEdgeLength,
        double? mesh2GridEdgeNormalizationFactor)
    {
        ArgumentNullException.ThrowIfNull(gridLatitudes);
        ArgumentNullException.ThrowIfNull(gridLongitudes);
        if (gridLatitudes.Length == 0 || gridLongitudes.Length == 0)
        {
            throw new ArgumentException($"The grid needs at least one latitude and one longitude; got {gridLatitudes.Length} × {gridLongitudes.Length}.", nameof(gridLatitudes));
        }

        if ((long)gridLatitudes.Length * gridLongitudes.Length * 3 > Array.MaxLength)
        {
            throw new ArgumentException($"A {gridLatitudes.Length} × {gridLongitudes.Length} grid is too large for one graph.", nameof(gridLatitudes));
        }

        if (meshSize is < 0 or > MaxMeshSize)
        {
            throw new ArgumentOutOfRangeException(nameof(meshSize), meshSize, $"mesh_size must be in 0..{MaxMeshSize} (GraphCast uses 5 or 6).");
        }

        if (!(radiusQueryFractionEdgeLength > 0) || !double.IsFinite(radiusQueryFractionEdgeLength))
        {
            throw new ArgumentOutOfRangeException(nameof(radiusQueryFractionEdgeLength), radiusQueryFractionEdgeLength, "radius_query_fraction_edge_length must be a positive finite number (GraphCast uses 0.6).");
        }

        if (mesh2GridEdgeNormalizationFactor is { } factor && !(factor > 0 && double.IsFinite(factor)))
        {
            throw new ArgumentOutOfRangeException(nameof(mesh2GridEdgeNormalizationFactor), factor, "mesh2grid_edge_normalization_factor must be positive and finite, or null.");
        }

        GridLatitudes = (float[])gridLatitudes.Clone();
        GridLongitudes = (float[])gridLongitudes.Clone();
        MeshSize = meshSize;
        RadiusQueryFractionEdgeLength = radiusQueryFractionEdgeLength;
        Mesh2GridEdgeNormalizationFactor = mesh2GridEdgeNormalizationFactor;
    }

    /// <summary>[num_lat] grid latitudes, degrees (the spec's own copy: do not modify).</summary>
    public float[] GridLatitudes { get; }

    /// <summary>[num_lon] grid longitudes, degrees (the spec's own copy: do not modify).</summary>
    public float[] GridLongitudes { get; }

    /// <summary>Number of two-splits of the icosahedron.</summary>
    public int MeshSize { get; }

    /// <summary>Grid2mesh radius as a fraction of the finest mesh's longest edge chord.</summary>
    public double RadiusQueryFractionEdgeLength { get; }

    /// <summary>Fixed normalisation of the mesh2grid edge features, or null.</summary>
    public double? Mesh2GridEdgeNormalizationFactor { get; }

    /// <summary>Number of grid nodes, num_lat · num_lon.</summary>
    public int GridNodeCount => GridLatitudes.Length * GridLongitudes.Length;

    /// <summary>
    /// A spec for the regular global grid of <paramref name="resolutionDegrees"/> with poles, latitudes ascending
    /// from −90 to 90 and longitudes 0 ≤ lon &lt; 360, as in ERA5 (0.25°: 721 × 1440; 1°: 181 × 360).
    /// </summary>
    public static GraphCastGraphSpec RegularGrid(
        double resolutionDegrees,
        int meshSize,
        double radiusQueryFractionEdgeLength,
        double? mesh2GridEdgeNormalizationFactor)
    {
        var latCount = 180.0 / resolutionDegrees;
        var lonCount = 360.0 / resolutionDegrees;
        if (!(resolutionDegrees > 0) || Math.Abs(latCount - Math.Round(latCount)) > 1e-9 || Math.Abs(lonCount - Math.Round(lonCount)) > 1e-9)
        {
            throw new ArgumentOutOfRangeException(nameof(resolutionDegrees), resolutionDegrees, "The resolution must divide 180 degrees (e.g. 0.25 or 1.0).");
        }

        var latitudes = new float[(int)Math.Round(latCount) + 1];
        for (var i = 0; i < latitudes.Length; i++)
        {
            latitudes[i] = (float)(-90.0 + (i * resolutionDegrees));
        }

        var longitudes = new float[(int)Math.Round(lonCount)];
        for (var j = 0; j < longitudes.Length; j++)
        {
            longitudes[j] = (float)(j * resolutionDegrees);
        }

        return new GraphCastGraphSpec(latitudes, longitudes, meshSize, radiusQueryFractionEdgeLength, mesh2GridEdgeNormalizationFactor);
    }

    /// <summary>Equal when every input is bit-for-bit the same (grid axes element by element).</summary>
    public bool Equals(GraphCastGraphSpec? other) =>
        other is not null
        && MeshSize == other.MeshSize
        && RadiusQueryFractionEdgeLength.Equals(other.RadiusQueryFractionEdgeLength)
        && Nullable.Equals(Mesh2GridEdgeNormalizationFactor, other.Mesh2GridEdgeNormalizationFactor)
        && GridLatitudes.AsSpan().SequenceEqual(other.GridLatitudes)
        && GridLongitudes.AsSpan().SequenceEqual(other.GridLongitudes);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(MeshSize, RadiusQueryFractionEdgeLength, Mesh2GridEdgeNormalizationFactor, GridLatitudes.Length, GridLongitudes.Length);

    /// <summary>A one-line description for messages: grid shape and range, mesh size, fraction, factor.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{GridLatitudes.Length} × {GridLongitudes.Length} grid (lat {GridLatitudes[0]:R}..{GridLatitudes[^1]:R}, lon {GridLongitudes[0]:R}..{GridLongitudes[^1]:R}), mesh_size {MeshSize}, radius fraction {RadiusQueryFractionEdgeLength:R}, mesh2grid factor {(Mesh2GridEdgeNormalizationFactor is { } f ? f.ToString("R", CultureInfo.InvariantCulture) : "none")}");
}
