using System.Globalization;
using GraphCast.Orleans.Grains.Options;

namespace GraphCast.Orleans.Grains.Placement;

/// <summary>
/// What a silo advertises about its compute through Orleans silo metadata (static for the silo's life): device kind
/// (<c>cpu</c>, <c>cuda</c> or <c>none</c>), device count and the memory the engine may use on each device.
/// </summary>
public sealed record ComputeSiloMetadata(string DeviceKind, int Devices, long MemoryBytes, int MaxConcurrentSteps)
{
    public const string DeviceKindKey = "graphcast.compute.kind";
    public const string DevicesKey = "graphcast.compute.devices";
    public const string MemoryKey = "graphcast.compute.memory-bytes";
    public const string ConcurrencyKey = "graphcast.compute.max-concurrent-steps";

    /// <summary>The device the silo computes on, described (<c>cpu</c>, or <c>cuda:0 NVIDIA H200, 143771 MiB</c>); for people, not placement.</summary>
    public const string DeviceKey = "graphcast.compute.device";

    /// <summary>A silo that hosts no members (a gateway or coordinator).</summary>
    public static ComputeSiloMetadata None { get; } = new("none", 0, 0, 0);

    public bool HasCompute => DeviceKind != "none" && Devices > 0;

    public static ComputeSiloMetadata From(ComputeOptions options) =>
        !options.Enabled ? None : new(options.Device.StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu", 1, options.EffectiveMemoryBytes, options.MaxConcurrentSteps);

    public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
    {
        [DeviceKindKey] = DeviceKind,
        [DevicesKey] = Devices.ToString(CultureInfo.InvariantCulture),
        [MemoryKey] = MemoryBytes.ToString(CultureInfo.InvariantCulture),
        [ConcurrencyKey] = MaxConcurrentSteps.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Reads the advertisement back; null when the silo advertised nothing (not a GraphCast silo, or not yet known).</summary>
    public static ComputeSiloMetadata? Parse(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(DeviceKindKey, out var kind))
        {
            return null;
        }

        static T Read<T>(IReadOnlyDictionary<string, string> m, string key, T fallback)
            where T : IParsable<T> =>
            m.TryGetValue(key, out var s) && T.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : fallback;

        return new(kind, Read(metadata, DevicesKey, 0), Read(metadata, MemoryKey, 0L), Read(metadata, ConcurrencyKey, 1));
    }
}
