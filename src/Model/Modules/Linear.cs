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

    public long OutputSize => _outputSize;

    /// <summary>[..., in] → [..., out], as one GEMM with the bias fused (<see cref="Gemm.AddMm"/>) on the rows flattened.</summary>
    public Tensor Call(Tensor x)
    {
        var (w, b) = Weights(x.shape[^1]);
        if (x.dim() == 2)
        {
            return Gemm.AddMm(b, x, w);
        }

        using var rows = x.reshape(-1, x.shape[^1]);
        using var y = Gemm.AddMm(b, rows, w);
        return y.view([.. x.shape[..^1], _outputSize]);
    }

    /// <summary>
    /// The weight [in, out] and bias [out] (null without bias) for an input of <paramref name="inputSize"/> features.
    /// Lets a caller apply the layer to a concatenation piece by piece (x = [a, b] → a·w[:n] + b·w[n:] + bias)
    /// without materialising the concatenation.
    /// </summary>
    public (Tensor W, Tensor? B) Weights(long inputSize)
    {
        var w = GetParameter("w", [inputSize, _outputSize], Initializers.TruncatedNormal(1.0 / Math.Sqrt(inputSize)));
        return (w, _withBias ? GetParameter("b", [_outputSize], Initializers.Zeros) : null);
    }
}
