using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Checks <see cref="ScheduleOptions"/> when the silo starts.</summary>
public sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        var errors = new List<string>();
        if (options.TickPeriod < TimeSpan.FromMinutes(1))
        {
            errors.Add($"Schedules:TickPeriod must be at least one minute (Orleans' shortest reminder period, e.g. \"00:01:00\"), not {options.TickPeriod}.");
        }

        Positive(errors, options.BusyTickInterval, nameof(options.BusyTickInterval), "00:00:05");
        Positive(errors, options.OnTimeWindow, nameof(options.OnTimeWindow), "00:05:00");
        Positive(errors, options.SweepInterval, nameof(options.SweepInterval), "00:05:00");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, TimeSpan value, string name, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"Schedules:{name} must be a positive time span (e.g. \"{example}\"), not {value}.");
        }
    }
}
