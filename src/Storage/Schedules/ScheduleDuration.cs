using System.Globalization;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>Durations as schedule options write them: <c>30s</c>, <c>15m</c>, <c>6h</c>, <c>2d</c> (or <c>hh:mm:ss</c>), and back.</summary>
public static class ScheduleDuration
{
    /// <summary>Parses <paramref name="text"/> for option <paramref name="option"/> (named in the error).</summary>
    /// <exception cref="ArgumentException">Not a positive duration; the message names the option and gives examples.</exception>
    public static TimeSpan Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        TimeSpan? value = null;
        if (t.Length >= 2 && char.IsAsciiLetter(t[^1])
            && double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n))
        {
            value = char.ToLowerInvariant(t[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
        }
        else if (t.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span))
        {
            value = span;
        }

        return value is { } v && v > TimeSpan.Zero
            ? v
            : throw new ArgumentException($"--{option} '{text}' is not a positive duration: write it as 30s, 15m, 6h or 2d (or hh:mm:ss).");
    }

    /// <summary>The shortest of <c>2d</c>, <c>6h</c>, <c>15m</c>, <c>30s</c> that is exact, else <c>hh:mm:ss</c>.</summary>
    public static string Format(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerDay == 0 ? $"{value.Ticks / TimeSpan.TicksPerDay}d"
        : value.Ticks % TimeSpan.TicksPerHour == 0 ? $"{value.Ticks / TimeSpan.TicksPerHour}h"
        : value.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{value.Ticks / TimeSpan.TicksPerMinute}m"
        : value.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{value.Ticks / TimeSpan.TicksPerSecond}s"
        : value.ToString("c", CultureInfo.InvariantCulture);
}
