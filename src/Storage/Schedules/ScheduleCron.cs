using Cronos;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>
/// A schedule's cron expression read in its time zone (Cronos): which UTC cycle times fall due in a span, the latest one at
/// or before a time, the next one after it, and the shortest interval between two cycles.
/// </summary>
/// <remarks>
/// Daylight-saving changes follow Cronos: a local time skipped by a spring-forward falls due at the first instant after the
/// gap, and a local time that occurs twice in an autumn fall-back falls due once, at its first occurrence (interval fields
/// such as <c>*/30</c> fall due in both). Cycle times are always UTC instants.
/// </remarks>
public sealed class ScheduleCron
{
    /// <summary>Cycles further apart than this are not searched for the shortest interval (a yearly cron's interval is itself).</summary>
    private const int IntervalSamples = 1000;

    private static readonly string[] FieldNames = ["minute", "hour", "day-of-month", "month", "day-of-week"];

    private static readonly string[] FieldRanges = ["0-59", "0-23", "1-31", "1-12 or JAN-DEC", "0-6 or SUN-SAT"];

    private readonly CronExpression _expression;

    private ScheduleCron(string text, CronExpression expression, TimeZoneInfo zone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
    }

    public string Text { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>Parses a five-field cron expression (or a macro such as <c>@daily</c>) in time zone <paramref name="timeZone"/>.</summary>
    /// <exception cref="ArgumentException">A bad expression (the message names the field) or an unknown time zone.</exception>
    public static ScheduleCron Parse(string cron, string timeZone = "UTC")
    {
        ArgumentNullException.ThrowIfNull(cron);
        var zone = FindZone(timeZone);
        var text = cron.Trim();
        if (!CronExpression.TryParse(text, CronFormat.Standard, out var expression))
        {
            throw new ArgumentException(Diagnose(text));
        }

        var result = new ScheduleCron(text, expression, zone);
        if (result.Next(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)) is null)
        {
            throw new ArgumentException($"Cron expression '{text}' never falls due (e.g. February 30th); give a date that exists.");
        }

        return result;
    }

    /// <summary>The time zone of an IANA name (<c>Europe/Berlin</c>) or <c>UTC</c>.</summary>
    /// <exception cref="ArgumentException">Unknown: the message says what to give.</exception>
    public static TimeZoneInfo FindZone(string timeZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        if (timeZone is "UTC" or "Etc/UTC")
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new ArgumentException($"Unknown time zone '{timeZone}': give an IANA name such as Europe/Berlin or America/New_York, or UTC (the default).");
        }
    }

    /// <summary>Cycle times after <paramref name="afterUtc"/> up to and including <paramref name="toUtc"/>, ascending.</summary>
    public IEnumerable<DateTime> Between(DateTime afterUtc, DateTime toUtc) =>
        afterUtc >= toUtc ? [] : _expression.GetOccurrences(Utc(afterUtc), Utc(toUtc), Zone, fromInclusive: false, toInclusive: true);

    /// <summary>Cycle times from <paramref name="fromUtc"/> to <paramref name="toUtc"/>, both included, ascending.</summary>
    public IEnumerable<DateTime> Within(DateTime fromUtc, DateTime toUtc) =>
        fromUtc > toUtc ? [] : _expression.GetOccurrences(Utc(fromUtc), Utc(toUtc), Zone, fromInclusive: true, toInclusive: true);

    /// <summary>The latest cycle time at or before <paramref name="utc"/>; null if there is none.</summary>
    public DateTime? LatestAtOrBefore(DateTime utc) => _expression.GetPreviousOccurrence(Utc(utc), Zone, inclusive: true);

    /// <summary>The first cycle time after <paramref name="utc"/>; null if there is none.</summary>
    public DateTime? Next(DateTime utc) => _expression.GetNextOccurrence(Utc(utc), Zone, inclusive: false);

    /// <summary>Whether <paramref name="utc"/> is a cycle time of this expression.</summary>
    public bool IsCycle(DateTime utc) => _expression.GetNextOccurrence(Utc(utc), Zone, inclusive: true) == Utc(utc);

    /// <summary>The shortest time between two consecutive cycles over the next 1000 cycles after <paramref name="fromUtc"/>.</summary>
    public TimeSpan ShortestInterval(DateTime fromUtc)
    {
        var shortest = TimeSpan.MaxValue;
        DateTime? previous = Next(fromUtc);
        for (var i = 0; i < IntervalSamples && previous is { } p; i++)
        {
            var next = Next(p);
            if (next is not { } n)
            {
                break;
            }

            shortest = n - p < shortest ? n - p : shortest;
            previous = n;
        }

        return shortest;
    }

    public override string ToString() => Zone == TimeZoneInfo.Utc ? Text : $"{Text} ({Zone.Id})";

    private static DateTime Utc(DateTime t) =>
        t.Kind == DateTimeKind.Utc ? t : throw new ArgumentException($"Schedule times are UTC, not {t.Kind} ({t:O}).");

    /// <summary>Names the field of a bad expression: the first field that is refused on its own, the others being '*'.</summary>
    private static string Diagnose(string text)
    {
        const string example = "e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC";
        if (text.StartsWith('@'))
        {
            return $"Cron expression '{text}' is not a known macro: use @hourly, @daily, @weekly, @monthly, @yearly or five fields ({example}).";
        }

        var fields = text.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 6)
        {
            return $"Cron expression '{text}' has six fields, the first for seconds, but cycles start on whole minutes: drop the seconds field and give five, minute hour day-of-month month day-of-week ({example}).";
        }

        if (fields.Length != 5)
        {
            return $"Cron expression '{text}' has {fields.Length} field(s); give five: minute hour day-of-month month day-of-week ({example}).";
        }

        for (var i = 0; i < 5; i++)
        {
            var probe = string.Join(' ', Enumerable.Range(0, 5).Select(k => k == i ? fields[i] : "*"));
            if (!CronExpression.TryParse(probe, CronFormat.Standard, out _))
            {
                return $"Cron expression '{text}': the {FieldNames[i]} field '{fields[i]}' is invalid ({FieldNames[i]} takes {FieldRanges[i]}, lists a,b, ranges a-b and steps */n; {example}).";
            }
        }

        return $"Cron expression '{text}' is invalid as a whole (each field reads on its own; check day-of-month against month); {example}.";
    }
}
