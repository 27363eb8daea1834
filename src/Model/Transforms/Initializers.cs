using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>The initializers Haiku's modules use by default.</summary>
public static class Initializers
{
    // Φ(2): standard normal CDF at 2 standard deviations (truncation bound of Haiku's TruncatedNormal).
    private const double NormalCdfAtTwo = 0.97724986805182079;

    public static Initializer Zeros => (shape, dtype, _) => torch.zeros(shape, dtype);

    public static Initializer Ones => (shape, dtype, _) => torch.ones(shape, dtype);

    public static Initializer Constant(double value) => (shape, dtype, _) => torch.full(shape, value, dtype);

    /// <summary>
    /// Normal(mean, stddev) truncated to ±2 standard deviations and not rescaled (Haiku's
    /// <c>TruncatedNormal</c>): inverse-CDF sampling of a uniform on [Φ(−2), Φ(2)], in float64, then cast.
    /// </summary>
    public static Initializer TruncatedNormal(double stddev, double mean = 0.0) => (shape, dtype, random) =>
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(random.NextKey().ToSeed());
        var u = torch.rand(shape, ScalarType.Float64, generator: generator);
        var lo = 1.0 - NormalCdfAtTwo;
        var p = u.mul(NormalCdfAtTwo - lo).add(lo);
        var x = p.mul(2.0).sub(1.0).erfinv().mul(Math.Sqrt(2.0)).clamp(-2.0, 2.0);
        return x.mul(stddev).add(mean).to(dtype).MoveToOuterDisposeScope();
    };
}
