using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>Validates <see cref="HealthOptions"/> when the silo is configured.</summary>
public sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535)
        {
            return ValidateOptionsResult.Fail($"Health:Port {options.Port} must be a TCP port, or 0 to serve no health endpoint.");
        }

        return options.StorageTimeout <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"Health:StorageTimeout ({options.StorageTimeout}) must be positive.")
            : ValidateOptionsResult.Success;
    }
}
