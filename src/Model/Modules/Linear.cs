using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Modules;

/// <summary>
/// Haiku's <c>hk.Linear</c>: y = x @ w + b with <c>w</c> stored [in, out] (the reference checkpoint layout, not
/// torch's [out, in]); w ~ TruncatedNormal(1/√fan_in), b = 0.
/// </summary>
public sealed class Linear : Module
{
    private readonly long _outputSize;
    private readonly bool _withBias;

    public Linear(long outputSize, bool withBias = true, string? name = null)
        : base(name)
    {
        if (outputSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "A linear layer needs a positive output size.");
        }

        _outputSize = outputSize;
        _withBias = withBias;
    }

    /// <summary>[..., in] → [..., out].</summary>
    public Tensor Call(Tensor x)
    {
        var inputSize = x.shape[^1];
        var w = GetParameter("w", [inputSize, _outputSize], Initializers.TruncatedNormal(1.0 / Math.Sqrt(inputSize)));
        if (!_withBias)
        {
            return x.matmul(w);
        }

        var b = GetParameter("b", [_outputSize], Initializers.Zeros);
        return x.matmul(w).add_(b);
    }
}
