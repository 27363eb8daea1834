using System.Globalization;
using System.Text.RegularExpressions;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>The blob layout of schedules (DESIGN §5), which schedule names are allowed, and the run id of each cycle.</summary>
/// <remarks>
/// <code>
/// schedules/{name}/schedule.json
/// schedules/{name}/cycles/{yyyyMMddTHHmm}.json
/// </code>
/// A cycle's run id is <c>{name}-{yyyyMMddTHHmm}</c>: derived from the schedule and the cycle time only, so every tick and
/// every silo names the same run for a cycle. Cycle keys sort in time order.
/// </remarks>
public static partial class ScheduleLayout
{
    public const string SchedulesPrefix = "schedules/";

    /// <summary>The longest schedule name: a run id (128) less the cycle suffix <c>-yyyyMMddTHHmm</c> (14).</summary>
    public const int MaxNameLength = RunLayout.MaxRunIdLength - 14;

    /// <summary>The cycle-time format of cycle keys and run ids.</summary>
    public const string CycleFormat = "yyyyMMdd'T'HHmm";

    /// <summary>
    /// Throws unless <paramref name="name"/> is 1–114 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit:
    /// one blob-name segment that can never reach outside <c>schedules/{name}/</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The message quotes the name and gives the rule.</exception>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
        {
            string shown = name.Length > 200 ? name[..200] + "…" : name;
            throw new ArgumentException(
                $"'{shown}' is not a valid schedule name: use 1 to {MaxNameLength} letters, digits, '.', '_' or '-', starting with a letter or digit " +
                "(for example 'ifs-6h'). A schedule name is one path segment of the store, so '/' and '..' are refused.",
                nameof(name));
        }
    }

    /// <summary><c>schedules/{name}/</c>.</summary>
    public static string Prefix(string name)
    {
        ValidateName(name);
        return SchedulesPrefix + name + "/";
    }

    /// <summary><c>schedules/{name}/schedule.json</c>.</summary>
    public static string Schedule(string name) => Prefix(name) + "schedule.json";

    /// <summary><c>schedules/{name}/cycles/</c>.</summary>
    public static string CyclesPrefix(string name) => Prefix(name) + "cycles/";

    /// <summary><c>schedules/{name}/cycles/{yyyyMMddTHHmm}.json</c>.</summary>
    public static string Cycle(string name, DateTime cycleTime) => CyclesPrefix(name) + CycleKey(cycleTime) + ".json";

    /// <summary><c>yyyyMMddTHHmm</c> of a UTC cycle time.</summary>
    public static string CycleKey(DateTime cycleTime)
    {
        RequireCycleTime(cycleTime);
        return cycleTime.ToString(CycleFormat, CultureInfo.InvariantCulture);
    }

    /// <summary>The run id of a cycle: <c>{name}-{yyyyMMddTHHmm}</c>.</summary>
    public static string RunId(string name, DateTime cycleTime)
    {
        ValidateName(name);
        return name + "-" + CycleKey(cycleTime);
    }

    /// <summary>The cycle time of a cycle blob name (<c>…/cycles/20240603T0600.json</c>); false for any other name.</summary>
    public static bool TryParseCycle(string blobName, out DateTime cycleTime)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        var file = blobName[(blobName.LastIndexOf('/') + 1)..];
        cycleTime = default;
        return file.EndsWith(".json", StringComparison.Ordinal)
            && DateTime.TryParseExact(file[..^5], CycleFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out cycleTime);
    }

    /// <summary>Cycle times are UTC and whole minutes (a five-field cron expression's resolution).</summary>
    public static void RequireCycleTime(DateTime cycleTime)
    {
        if (cycleTime.Kind != DateTimeKind.Utc || cycleTime.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            throw new ArgumentException($"A cycle time is a whole UTC minute (e.g. 2024-06-03T06:00Z), not {cycleTime:O} ({cycleTime.Kind}).", nameof(cycleTime));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,113}\z")]
    private static partial Regex NamePattern();
}
