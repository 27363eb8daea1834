using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Silo;

/// <summary>
/// The silo's compute device: <c>Compute:Device</c> (<c>cpu</c>, <c>cuda:N</c> or <c>auto</c>) checked against the CUDA
/// devices LibTorch sees on this host, and described for the log and the silo's metadata (<c>cuda:0 NVIDIA H200, 143771 MiB</c>
/// or <c>cpu</c>). <c>auto</c> picks <c>cuda:0</c> when CUDA is available, else <c>cpu</c>. A CUDA device the host lacks
/// stops the silo with one line.
/// </summary>
public sealed record ComputeDevice(string Device, string Description)
{
    /// <summary>Resolves <paramref name="configured"/> on this host (LibTorch is asked only for <c>auto</c> and <c>cuda:N</c>).</summary>
    public static ComputeDevice Resolve(string configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        if (configured == "cpu")
        {
            return Cpu;
        }

        var devices = cuda.is_available() ? cuda.device_count() : 0;
        return Resolve(configured, devices, NvidiaSmiDescription);
    }

    /// <summary>Resolves <paramref name="configured"/> for a host with <paramref name="cudaDevices"/> CUDA devices; <paramref name="describe"/> names device N (null if unknown).</summary>
    public static ComputeDevice Resolve(string configured, int cudaDevices, Func<int, string?> describe)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(describe);
        if (configured == "cpu" || (configured == "auto" && cudaDevices == 0))
        {
            return Cpu;
        }

        var index = configured == "auto" ? 0
            : configured.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(configured.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new SiloConfigurationException($"Compute:Device '{configured}' must be 'cpu', 'cuda:N' (e.g. cuda:0) or 'auto'.");
        if (index >= cudaDevices)
        {
            throw new SiloConfigurationException(cudaDevices == 0
                ? $"Compute:Device '{configured}': this host has no CUDA device that LibTorch can use (a -p:TorchBackend=cpu build, or no GPU or driver): set Compute:Device=cpu or auto, or run the CUDA build on a GPU node."
                : string.Create(CultureInfo.InvariantCulture,
                    $"Compute:Device '{configured}': this host has {cudaDevices} CUDA device{(cudaDevices == 1 ? "" : "s")} (cuda:0{(cudaDevices > 1 ? $" to cuda:{cudaDevices - 1}" : "")}): set Compute:Device to one of them, or auto."));
        }

        var device = string.Create(CultureInfo.InvariantCulture, $"cuda:{index}");
        return new ComputeDevice(device, describe(index) is { Length: > 0 } name ? $"{device} {name}" : device);
    }

    private static ComputeDevice Cpu { get; } = new("cpu", "cpu");

    /// <summary>"NVIDIA H200, 143771 MiB" from nvidia-smi (which the NVIDIA container runtime mounts), or null without it.</summary>
    private static string? NvidiaSmiDescription(int index)
    {
        try
        {
            var start = new ProcessStartInfo("nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader", "-i", index.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var line = process.StandardOutput.ReadLine();
            return process.WaitForExit(5000) && process.ExitCode == 0 ? line?.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
