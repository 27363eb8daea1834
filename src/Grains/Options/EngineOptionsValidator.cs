using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Checks <see cref="EngineOptions"/> when the silo starts.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var errors = new List<string>();
        Positive(errors, options.SupervisorInterval, nameof(options.SupervisorInterval), "00:00:15");
        Positive(errors, options.ManifestFlushInterval, nameof(options.ManifestFlushInterval), "00:00:02");
        Positive(errors, options.RetryFirstDelay, nameof(options.RetryFirstDelay), "00:00:00.5");
        Positive(errors, options.RetryMaxDelay, nameof(options.RetryMaxDelay), "00:00:10");
        Positive(errors, options.LoadReportInterval, nameof(options.LoadReportInterval), "00:00:02");
        Positive(errors, options.DrainHandOverTimeout, nameof(options.DrainHandOverTimeout), "00:01:00");
        Positive(errors, options.TransientFailureBudget, nameof(options.TransientFailureBudget), "00:15:00");
        if (options.StatisticsInterval < TimeSpan.Zero)
        {
            errors.Add($"Engine:StatisticsInterval must be zero (a statistics pass after every new member) or a positive time span (e.g. \"00:00:30\"), not {options.StatisticsInterval}.");
        }

        if (options.StatisticsConcurrency < 1)
        {
            errors.Add($"Engine:StatisticsConcurrency must be at least 1 (statistics passes one silo runs at once, e.g. 1), not {options.StatisticsConcurrency}.");
        }

        if (options.RetryMaxDelay < options.RetryFirstDelay)
        {
            errors.Add($"Engine:RetryMaxDelay ({options.RetryMaxDelay}) is shorter than Engine:RetryFirstDelay ({options.RetryFirstDelay}); make it at least as long.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, TimeSpan value, string name, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"Engine:{name} must be a positive time span (e.g. \"{example}\"), not {value}.");
        }
    }
}
