using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Perturbations;

/// <summary>Kinds of initial-condition noise for ensemble members.</summary>
public enum NoiseKind
{
    /// <summary>Independent N(0, 1) per grid point, variable and level.</summary>
    Gaussian,

    /// <summary>
    /// White noise smoothed on the sphere with a Gaussian kernel exp(−d²/2L²) of great-circle distance d (cut off at 3L),
    /// renormalised to unit variance at every point: a field whose correlation falls to e^(−1/4) ≈ 0.78 at distance L
    /// and to e^(−1) at 2L (the correlation of a Gaussian-smoothed white field is exp(−d²/4L²)).
    /// </summary>
    Correlated,
}
