using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Modules;

/// <summary>
/// The matrix products of the network, <c>[rows, in] · [in, out]</c> with an optional bias or accumulator, in one place so
/// that the GEMM kernel can be chosen per dtype and device.
/// </summary>
/// <remarks>
/// LibTorch multiplies bfloat16 on the CPU with oneDNN only where the CPU has AVX-512 (ideally <c>avx512_bf16</c> or AMX);
/// elsewhere (e.g. AMD Zen 3, AVX2 only) it falls back to a scalar reference loop measured at 0.2 GFLOP/s — a graphcast-small
/// forward would take hours. There a bfloat16 product is computed as a float32 GEMM of the bfloat16 operands, rounded to
/// bfloat16 once at the end: products of two bfloat16 numbers are exact in float32 and the sum is accumulated in float32,
/// which is what a bfloat16 GEMM with float32 accumulation (oneDNN, cuBLAS) computes, up to summation order.
/// <c>GRAPHCAST_BF16_GEMM=native|float32</c> overrides the choice (for benchmarks).
/// </remarks>
public static class Gemm
{
    private static readonly Lazy<bool> CpuBfloat16 = new(DetectCpuBfloat16);

    /// <summary>Whether bfloat16 products run natively on <paramref name="device"/> (always on accelerators).</summary>
    public static bool NativeBfloat16(Device device) => device.type != DeviceType.CPU || CpuBfloat16.Value;

    /// <summary><c>x · w</c>: <c>[rows, in] · [in, out] → [rows, out]</c>.</summary>
    public static Tensor Mm(Tensor x, Tensor w)
    {
        if (!Emulate(x))
        {
            return x.mm(w);
        }

        using var x32 = x.to(ScalarType.Float32);
        using var w32 = w.to(ScalarType.Float32);
        using var y = x32.mm(w32);
        return y.to(x.dtype);
    }

    /// <summary><c>bias + x · w</c> with the bias broadcast over rows (<c>x · w</c> when <paramref name="bias"/> is null).</summary>
    public static Tensor AddMm(Tensor? bias, Tensor x, Tensor w)
    {
        if (bias is null)
        {
            return Mm(x, w);
        }

        if (!Emulate(x))
        {
            return torch.addmm(bias, x, w, 1, 1);
        }

        using var x32 = x.to(ScalarType.Float32);
        using var w32 = w.to(ScalarType.Float32);
        using var b32 = bias.to(ScalarType.Float32);
        using var y = torch.addmm(b32, x32, w32, 1, 1);
        return y.to(x.dtype);
    }

    /// <summary><c>accumulator += x · w</c> in place (one rounding to the accumulator's dtype).</summary>
    public static void AddMmInPlace(Tensor accumulator, Tensor x, Tensor w)
    {
        if (!Emulate(x))
        {
            accumulator.addmm_(x, w, 1, 1);
            return;
        }

        // Accumulate in float32 and round once (a mixed-dtype add_ would take LibTorch's slow type-promoting path).
        using var x32 = x.to(ScalarType.Float32);
        using var w32 = w.to(ScalarType.Float32);
        using var sum = accumulator.to(ScalarType.Float32);
        sum.addmm_(x32, w32, 1, 1);
        accumulator.copy_(sum);
    }

    private static bool Emulate(Tensor x) =>
        x.dtype == ScalarType.BFloat16 && !NativeBfloat16(x.device);

    private static bool DetectCpuBfloat16()
    {
        var forced = Environment.GetEnvironmentVariable("GRAPHCAST_BF16_GEMM");
        if (forced is "native" or "float32")
        {
            return forced == "native";
        }

        if (!File.Exists("/proc/cpuinfo"))
        {
            return false;
        }

        // x86: AVX512-BF16 or AMX-BF16 instructions; Arm: the BF16 extension ("bf16" in Features).
        var flags = File.ReadLines("/proc/cpuinfo")
            .FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal) || l.StartsWith("Features", StringComparison.Ordinal));
        if (flags is null)
        {
            return false;
        }

        var set = flags.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return set.Contains("avx512_bf16") || set.Contains("amx_bf16") || set.Contains("bf16");
    }
}
