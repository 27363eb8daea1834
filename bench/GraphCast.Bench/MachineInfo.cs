using System.Globalization;
using TorchSharp;

namespace GraphCast.Bench;

/// <summary>The machine a benchmark ran on: cores, CPU model and flags that matter (AVX-512 bf16), memory, load, LibTorch threads.</summary>
internal sealed record MachineInfo(int Cores, string CpuModel, bool Avx512Bf16, double MemoryGiB, string LoadAverage, int TorchThreads, int TorchInteropThreads)
{
    public static MachineInfo Current()
    {
        var cpuInfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        var model = cpuInfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var flags = cpuInfo.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var memKiB = double.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return new MachineInfo(
            Environment.ProcessorCount, model, flags.Contains(" avx512_bf16", StringComparison.Ordinal), memKiB / (1024 * 1024),
            LoadAverageNow(), torch.get_num_threads(), torch.get_num_interop_threads());
    }

    /// <summary>The 1-, 5- and 15-minute load averages, e.g. <c>8.49 8.36 6.71</c>.</summary>
    public static string LoadAverageNow() =>
        string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Cores} cores, {CpuModel}{(Avx512Bf16 ? " (avx512_bf16)" : "")}, {MemoryGiB:F0} GiB, LibTorch threads {TorchThreads} (interop {TorchInteropThreads}), load average {LoadAverage}");
}
