using System.Diagnostics;
using GraphCast.Model.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Bench;

/// <summary>
/// The machine's dense matrix-multiply rate through TorchSharp: C = A·B for square n×n matrices (2·n³ FLOPs), the ceiling
/// that a forward pass's achieved rate is compared with. It multiplies through <see cref="Gemm"/>, as the network does:
/// in bfloat16 on a CPU without bf16 GEMM that is a float32 GEMM of bfloat16 operands (LibTorch's own bfloat16 matmul
/// there is a scalar loop at about 0.2 GFLOP/s).
/// </summary>
internal static class DenseMatmul
{
    public const long Size = 2048;

    /// <summary>Median GFLOP/s of <paramref name="repeats"/> multiplies after one warm-up, in <paramref name="dtype"/>.</summary>
    public static double GflopsPerSecond(ScalarType dtype, int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var a = torch.randn([Size, Size]).to(dtype);
        var b = torch.randn([Size, Size]).to(dtype);
        Gemm.Mm(a, b).Dispose();
        var seconds = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Gemm.Mm(a, b).Dispose();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return 2.0 * Size * Size * Size / Statistics.Median(seconds) / 1e9;
    }
}
