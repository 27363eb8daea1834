using System.Globalization;

namespace GraphCast.Model.Configuration;

/// <summary>
/// Where a region's parameters come from: random weights from a seed (like the <c>tiny</c>/<c>demo</c> presets), a
/// reference-layout weights file (safetensors or npz, by Haiku name), or none at all — a cut-out of the parent's fields.
/// </summary>
public sealed record RegionModelSource
{
    private RegionModelSource(RegionModelKind kind, int seed, string? file)
    {
        Kind = kind;
        Seed = seed;
        File = file;
    }

    /// <summary>Seed, file or none.</summary>
    public RegionModelKind Kind { get; }

    /// <summary>The seed of <see cref="RegionModelKind.Seed"/> (0 otherwise).</summary>
    public int Seed { get; }

    /// <summary>The weights file of <see cref="RegionModelKind.File"/> (null otherwise).</summary>
    public string? File { get; }

    /// <summary>A cut-out: the parent's fields in the box, no model.</summary>
    public static RegionModelSource None { get; } = new(RegionModelKind.None, 0, null);

    /// <summary>Random weights from <paramref name="seed"/>.</summary>
    public static RegionModelSource FromSeed(int seed) => new(RegionModelKind.Seed, seed, null);

    /// <summary>Weights read from <paramref name="path"/> (safetensors or npz, Haiku names).</summary>
    public static RegionModelSource FromFile(string path) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new ArgumentException("A region weights file needs a path: give NAME=FILE, NAME=seed:N or NAME=none.")
            : new(RegionModelKind.File, 0, path);

    /// <summary>Parses <c>seed:N</c>, <c>none</c> or a file path (the value of <c>--region-model NAME=…</c>).</summary>
    public static RegionModelSource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        if (text.StartsWith("seed:", StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(text.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                ? FromSeed(seed)
                : throw new ArgumentException($"Region model '{text}': the seed must be an integer, e.g. seed:7.");
        }

        return FromFile(text);
    }

    /// <summary><c>none</c>, <c>seed:N</c> or the file path, as <see cref="Parse"/> reads it.</summary>
    public override string ToString() => Kind switch
    {
        RegionModelKind.None => "none",
        RegionModelKind.Seed => string.Create(CultureInfo.InvariantCulture, $"seed:{Seed}"),
        _ => File!,
    };
}
