namespace GraphCast.Model.Transforms;

/// <summary>
/// A splittable pseudo-random key, like JAX's PRNGKey: a value, not a stateful generator. Splitting is deterministic
/// (SplitMix64), so a stream derived from a key is the same on every machine and thread.
/// </summary>
public readonly record struct RngKey(ulong Value)
{
    /// <summary>A key from an integer seed.</summary>
    public static RngKey FromSeed(long seed) => new(Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL));

    /// <summary>Two independent keys derived from this one.</summary>
    public (RngKey First, RngKey Second) Split() => (Fold(1), Fold(2));

    /// <summary>A key derived from this one and <paramref name="data"/> (e.g. a member index).</summary>
    public RngKey Fold(ulong data) => new(Mix(Value + Mix(data + 0x632BE59BD9B4E019UL)));

    /// <summary>A seed for a torch generator.</summary>
    public ulong ToSeed() => Mix(Value ^ 0xD1B54A32D192ED03UL);

    private static ulong Mix(ulong z)
    {
        // SplitMix64 finaliser (Steele, Lea, Flood 2014).
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
