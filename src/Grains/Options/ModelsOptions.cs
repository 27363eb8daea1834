using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Where models come from (section <c>Models</c>): presets are built in; checkpoints are read from a directory.</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>Directory of reference-format <c>.npz</c> checkpoints, addressed as <c>checkpoint:NAME.npz</c>.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Graph cache directory; null → the default under the user's cache folder; "" → no cache.</summary>
    public string? GraphCacheDirectory { get; set; }

    /// <summary>Directory holding the reference's three normalisation-statistics files for checkpoints; null → identity statistics.</summary>
    public string? StatsDirectory { get; set; }
}

/// <summary>Validates <see cref="ModelsOptions"/> at start.</summary>
public sealed class ModelsOptionsValidator : IValidateOptions<ModelsOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelsOptions options)
    {
        if (options.CheckpointDirectory is { } dir && !Directory.Exists(dir))
        {
            return ValidateOptionsResult.Fail($"Models:CheckpointDirectory '{dir}' does not exist; create it or leave it unset.");
        }

        return ValidateOptionsResult.Success;
    }
}
