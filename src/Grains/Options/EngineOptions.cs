using GraphCast.Orleans.Grains.Engine;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Timing of the engine's background work and of its retries of transient failures (section <c>Engine</c>).</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>How often each silo looks for active runs and makes sure their members are running (recovery after a silo loss).</summary>
    public TimeSpan SupervisorInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a run writes its manifest (run.json) while members report progress.</summary>
    public TimeSpan ManifestFlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First wait before retrying a transient failure (storage or a silo unreachable); it doubles on each retry.</summary>
    public TimeSpan RetryFirstDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest wait between two retries of a transient failure.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a member keeps retrying transient failures before it reports itself failed (resume it later).</summary>
    public TimeSpan TransientFailureBudget { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each silo reports its active members to the placement board and refreshes its view of the others.</summary>
    public TimeSpan LoadReportInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Least time between two partial statistics passes of one lead time while its members are still arriving (a pass
    /// reads every member included so far and rewrites the lead time's statistics). The pass once every member has the
    /// step, and the one when the run finishes, are never held back by it. Zero: a pass after every new member (small
    /// test runs); the default keeps a large run to one pass per lead time when its members arrive within 30 s.
    /// </summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many statistics passes one silo runs at once. Each holds one variable's float64 accumulators and one member
    /// chunk (about 20 bytes per value of the largest variable: 0.77 GB at 0.25° with 37 levels), so this bounds the
    /// silo's statistics memory however many lead times finish together.
    /// </summary>
    public int StatisticsConcurrency { get; set; } = 1;

    public TransientRetryPolicy RetryPolicy => new(RetryFirstDelay, RetryMaxDelay, TransientFailureBudget);
}

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
