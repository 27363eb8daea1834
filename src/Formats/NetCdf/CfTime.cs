using System.Globalization;
using System.Text.RegularExpressions;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// CF time coordinates: values in <c>"&lt;unit&gt; since &lt;reference time&gt;"</c> units (e.g. <c>"hours since 1900-01-01 00:00:00.0"</c>)
/// to and from UTC <see cref="DateTime"/>s, in the standard / gregorian / proleptic_gregorian calendars.
/// </summary>
public static partial class CfTime
{
    /// <summary>Decodes a time coordinate variable through its <c>units</c> and <c>calendar</c> attributes.</summary>
    /// <exception cref="InvalidDataException">No units, units that are not a CF time, or a missing (fill) time.</exception>
    public static DateTime[] Decode(NetCdfVariable variable)
    {
        var units = variable.Units
            ?? throw new InvalidDataException($"Time variable '{variable.Name}' in {variable.Source} has no units attribute; CF times need \"<unit> since <time>\".");
        var calendar = variable.TextAttribute("calendar");
        try
        {
            return variable.Type.IsInteger() && !variable.IsPacked
                ? Decode(variable.ReadLong(), units, calendar)
                : Decode(variable.ReadDouble(), units, calendar);
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"Time variable '{variable.Name}' in {variable.Source}: {e.Message}", e);
        }
    }

    /// <summary>Decodes integer time values exactly (to the 100 ns tick).</summary>
    public static DateTime[] Decode(IReadOnlyList<long> values, string units, string? calendar = null)
    {
        var (unitTicks, epoch) = Parse(units, calendar);
        var result = new DateTime[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = epoch.AddTicks(checked(values[i] * unitTicks));
        }

        return result;
    }

    /// <summary>Decodes floating-point time values; whole units are exact, fractions round to the nearest 100 ns tick.</summary>
    /// <exception cref="ArgumentException">A value is NaN (a missing time).</exception>
    public static DateTime[] Decode(IReadOnlyList<double> values, string units, string? calendar = null)
    {
        var (unitTicks, epoch) = Parse(units, calendar);
        var result = new DateTime[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var v = values[i];
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"Time value {i} is {v} (missing); a time coordinate needs every value.");
            }

            var whole = Math.Floor(v);
            result[i] = epoch.AddTicks(checked((long)whole * unitTicks + (long)Math.Round((v - whole) * unitTicks)));
        }

        return result;
    }

    /// <summary>Encodes UTC times as values in <paramref name="units"/> (unspecified kinds are taken as UTC).</summary>
    public static double[] Encode(IReadOnlyList<DateTime> times, string units)
    {
        var (unitTicks, epoch) = Parse(units, calendar: null);
        return times.Select(t =>
        {
            var utc = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
            var ticks = utc.Ticks - epoch.Ticks;
            return (double)(ticks / unitTicks) + (double)(ticks % unitTicks) / unitTicks;
        }).ToArray();
    }

    /// <summary>The length of one unit, in 100 ns ticks, and the reference time (UTC) of CF time units.</summary>
    /// <exception cref="FormatException">Not <c>"&lt;unit&gt; since &lt;time&gt;"</c>, or a unit other than days … nanoseconds.</exception>
    /// <exception cref="NotSupportedException">A calendar other than standard, gregorian or proleptic_gregorian.</exception>
    public static (long UnitTicks, DateTime Epoch) Parse(string units, string? calendar)
    {
        var cal = (calendar ?? "standard").Trim().ToLowerInvariant();
        if (cal is not ("standard" or "gregorian" or "proleptic_gregorian"))
        {
            throw new NotSupportedException(
                $"Calendar '{calendar}' is not supported: only standard, gregorian and proleptic_gregorian times map onto DateTime.");
        }

        var m = UnitsPattern().Match(units);
        if (!m.Success)
        {
            throw new FormatException($"Time units \"{units}\" are not of the CF form \"<unit> since <time>\" (e.g. \"hours since 1900-01-01 00:00:00\").");
        }

        var unit = m.Groups["unit"].Value.ToLowerInvariant();
        long unitTicks = unit switch
        {
            "days" or "day" or "d" => TimeSpan.TicksPerDay,
            "hours" or "hour" or "hrs" or "hr" or "h" => TimeSpan.TicksPerHour,
            "minutes" or "minute" or "mins" or "min" => TimeSpan.TicksPerMinute,
            "seconds" or "second" or "secs" or "sec" or "s" => TimeSpan.TicksPerSecond,
            "milliseconds" or "millisecond" or "msecs" or "msec" or "ms" => TimeSpan.TicksPerMillisecond,
            "microseconds" or "microsecond" or "usecs" or "usec" or "us" => TimeSpan.TicksPerMicrosecond,
            _ => throw new FormatException(
                $"Time unit '{m.Groups["unit"].Value}' in \"{units}\" is not supported: use days, hours, minutes, seconds, milliseconds or microseconds (months and years have no fixed length)."),
        };

        var epoch = ParseReferenceTime(m.Groups["time"].Value, units);
        if (cal is "standard" or "gregorian" && epoch < new DateTime(1582, 10, 15, 0, 0, 0, DateTimeKind.Utc))
        {
            throw new NotSupportedException(
                $"Reference time {epoch:yyyy-MM-dd} of \"{units}\" falls before 1582-10-15, where the standard calendar is Julian; only proleptic_gregorian is supported there.");
        }

        return (unitTicks, epoch);
    }

    private static DateTime ParseReferenceTime(string text, string units)
    {
        var m = ReferenceTimePattern().Match(text.Trim());
        if (!m.Success)
        {
            throw new FormatException($"Reference time \"{text}\" in \"{units}\" is not of the form YYYY-MM-DD[ hh:mm[:ss[.f]]][ Z|UTC|±hh:mm].");
        }

        int Int(string g, int fallback = 0) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : fallback;
        try
        {
            var seconds = m.Groups["s"].Success ? double.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) : 0.0;
            var time = new DateTime(Int("y"), Int("mo"), Int("d"), Int("h"), Int("mi"), 0, DateTimeKind.Utc)
                .AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
            if (m.Groups["zh"].Success)
            {
                var sign = m.Groups["zs"].Value == "-" ? -1 : 1;
                time -= sign * new TimeSpan(Int("zh"), Int("zm"), 0);
            }

            return time;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"Reference time \"{text}\" in \"{units}\" is not a valid date and time.", e);
        }
    }

    [GeneratedRegex(@"^\s*(?<unit>[A-Za-z]+)\s+since\s+(?<time>.+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitsPattern();

    [GeneratedRegex(
        @"^(?<y>\d{1,4})-(?<mo>\d{1,2})-(?<d>\d{1,2})(?:[T ]\s*(?<h>\d{1,2})(?::(?<mi>\d{1,2})(?::(?<s>\d{1,2}(?:\.\d*)?))?)?)?\s*(?:Z|UTC|GMT|(?<zs>[+-])(?<zh>\d{1,2})(?::?(?<zm>\d{2}))?)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceTimePattern();
}
