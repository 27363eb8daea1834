using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Validates <see cref="ModelsOptions"/> at start.</summary>
public sealed class ModelsOptionsValidator : IValidateOptions<ModelsOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelsOptions options)
    {
        if (options.WeightsDirectory is { } dir && !Directory.Exists(dir))
        {
            return ValidateOptionsResult.Fail($"Models:WeightsDirectory '{dir}' does not exist; create it or leave it unset.");
        }

        return ValidateOptionsResult.Success;
    }
}
