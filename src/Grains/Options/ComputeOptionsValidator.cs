using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Validates <see cref="ComputeOptions"/> at start.</summary>
public sealed class ComputeOptionsValidator : IValidateOptions<ComputeOptions>
{
    public ValidateOptionsResult Validate(string? name, ComputeOptions options)
    {
        var d = options.Device;
        // 'auto' is resolved by the silo host (src/Silo ComputeDevice) before these options are read.
        var ok = d == "cpu" || (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d.AsSpan(5), out var i) && i >= 0);
        if (!ok)
        {
            return ValidateOptionsResult.Fail($"Compute:Device '{d}' must be 'cpu' or 'cuda:N' (e.g. cuda:0), or 'auto' for a silo.");
        }

        if (options.MemoryBytes < 0)
        {
            return ValidateOptionsResult.Fail($"Compute:MemoryBytes must be 0 (automatic) or a positive number of bytes, not {options.MemoryBytes}.");
        }

        if (options.MaxConcurrentSteps < 1 || options.QueueCapacity < 1 || options.IntraOpThreads < 0)
        {
            return ValidateOptionsResult.Fail("Compute:MaxConcurrentSteps and Compute:QueueCapacity must be at least 1, Compute:IntraOpThreads not negative.");
        }

        return ValidateOptionsResult.Success;
    }
}
