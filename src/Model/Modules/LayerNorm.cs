using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Modules;

/// <summary>
/// Haiku's <c>hk.LayerNorm(axis=-1, create_scale=True, create_offset=True)</c>: y = scale·(x − mean)·rsqrt(var + eps) + offset
/// over the last axis, with the biased (population) variance and eps = 1e-5 by default.
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly double _eps;

    public LayerNorm(double eps = 1e-5, string? name = null)
        : base(name)
    {
        _eps = eps;
    }

    /// <summary>The epsilon added to the variance.</summary>
    public double Eps => _eps;

    /// <summary>[..., C] → [..., C].</summary>
    public Tensor Call(Tensor x)
    {
        var c = x.shape[^1];
        var (scale, offset) = Weights(c);
        return nn.functional.layer_norm(x, [c], scale, offset, _eps);
    }

    /// <summary>The scale and offset [C] for <paramref name="channels"/> channels, for callers that normalise piece by piece.</summary>
    public (Tensor Scale, Tensor Offset) Weights(long channels) =>
        (GetParameter("scale", [channels], Initializers.Ones), GetParameter("offset", [channels], Initializers.Zeros));
}
