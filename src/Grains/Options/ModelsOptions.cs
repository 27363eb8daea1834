using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Where models come from (section <c>Models</c>): presets are built in; weights files are read from a directory.</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>Directory of model weights in the reference <c>.npz</c> layout, addressed as <c>checkpoint:NAME.npz</c> (the CLI's <c>--checkpoint FILE.npz</c>).</summary>
    public string? WeightsDirectory { get; set; }

    /// <summary>Graph cache directory; null → the default under the user's cache folder; "" → no cache.</summary>
    public string? GraphCacheDirectory { get; set; }

    /// <summary>Directory holding the reference's three normalisation-statistics files for checkpoints; null → identity statistics.</summary>
    public string? NormalizationStatsDirectory { get; set; }
}
