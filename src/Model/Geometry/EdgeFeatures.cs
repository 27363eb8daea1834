namespace GraphCast.Model.Geometry;

/// <summary>Normalised edge features [num_edges, 4] and the factor N they were divided by.</summary>
/// <param name="Values">[num_edges, 4] float32: |d|/N, dx/N, dy/N, dz/N.</param>
/// <param name="NormalizationFactor">N, in float64.</param>
public sealed record EdgeFeatures(float[] Values, double NormalizationFactor);
