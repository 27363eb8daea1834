using System.Runtime.InteropServices;

namespace GraphCast.Model;

/// <summary>
/// Tunes glibc's allocator for LibTorch's CPU tensors (once per process): large blocks are kept in the heap and reused
/// instead of being mapped and unmapped for every tensor.
/// </summary>
/// <remarks>
/// A GraphCast forward allocates and frees hundreds of edge-sized tensors (graphcast-small: 168 MB for a float32
/// [81,900, 512] mesh-edge latent, 400 MB on the mesh2grid edges). glibc serves every block above its mmap threshold
/// (at most 32 MB) with a fresh <c>mmap</c> and returns it with <c>munmap</c> when freed, so each new tensor is
/// page-faulted in and zeroed by the kernel page by page: a forward spent as much time in the kernel as in matmuls.
/// With mmap disabled (<c>M_MMAP_MAX</c> = 0) blocks come from the heap, and with a high trim threshold
/// (<c>M_TRIM_THRESHOLD</c>) freed blocks stay there for the next op of the same size; the process keeps its peak
/// working set between steps, which a model server wants anyway. Equivalent to starting the process with
/// <c>MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=…</c>; glibc only (a no-op elsewhere, and on musl).
/// </remarks>
public static partial class NativeMemoryTuning
{
    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;

    /// <summary>Heap memory above this much, free at the top of the heap, is returned to the system.</summary>
    public const int TrimThresholdBytes = 1 << 30;

    private static readonly Lazy<bool> Applied = new(ApplyOnce);

    /// <summary>Applies the tuning (idempotent, thread-safe); true when glibc accepted it.</summary>
    public static bool Apply() => Applied.Value;

    private static bool ApplyOnce()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("GRAPHCAST_KEEP_MALLOC") == "1")
        {
            return false;
        }

        try
        {
            // mallopt returns 1 on success, 0 on error.
            return Mallopt(MMmapMax, 0) == 1 && Mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;   // not glibc
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
