using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>The silo's compute device and how much of it the engine uses (section <c>Compute</c>).</summary>
public sealed class ComputeOptions
{
    public const string SectionName = "Compute";

    /// <summary>
    /// <c>cpu</c> or <c>cuda:N</c>; a silo also takes <c>auto</c> (<c>cuda:0</c> when LibTorch sees CUDA, else <c>cpu</c>) and
    /// refuses a CUDA device its host lacks. A silo without compute hosts no members (a gateway or coordinator role).
    /// </summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Whether this silo runs ensemble members at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>LibTorch intra-op threads (process-wide); 0 = one per core.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Steps that run at once on this device (dedicated compute threads).</summary>
    public int MaxConcurrentSteps { get; set; } = 1;

    /// <summary>Steps that may wait for a compute thread before callers are made to wait (backpressure).</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>
    /// Bytes of device memory the engine may use for models and steps; 0 = what the runtime reports as available
    /// (physical memory or the container limit, for <c>cpu</c>). Steps wait while it is taken; a single step that can never
    /// fit fails its member with a message naming this setting.
    /// </summary>
    public long MemoryBytes { get; set; }

    /// <summary>The memory budget in effect (<see cref="MemoryBytes"/>, or the runtime's available memory).</summary>
    public long EffectiveMemoryBytes => MemoryBytes > 0 ? MemoryBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Run the network in bfloat16 (float32 master parameters).</summary>
    public bool Bfloat16 { get; set; }
}
