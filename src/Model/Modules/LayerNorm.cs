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

    /// <summary>[..., C] → [..., C].</summary>
    public Tensor Call(Tensor x)
    {
        var c = x.shape[^1];
        var scale = GetParameter("scale", [c], Initializers.Ones);
        var offset = GetParameter("offset", [c], Initializers.Zeros);
        return nn.functional.layer_norm(x, [c], scale, offset, _eps);
    }
}
