namespace GraphCast.Model.Forcings;

/// <summary>
/// Year and day progress forcings and their sin/cos featurisation, following the reference's
/// <c>data_utils.get_year_progress</c>, <c>get_day_progress</c> and <c>featurize_progress</c>.
/// </summary>
/// <remarks>
/// The reference computes progress in float64 and casts the result to float32; this class does the
/// same, in the same order of operations, so the float32 values agree bit for bit with numpy's.
/// Times are seconds since the Unix epoch (the reference casts <c>datetime64</c> to whole seconds).
/// </remarks>
public static class ProgressFeatures
{
    /// <summary>Seconds in a day (<c>SEC_PER_DAY</c>).</summary>
    public const int SecondsPerDay = 86400;

    /// <summary>Mean length of the tropical year in days, as the reference uses it.</summary>
    public const double AverageDaysPerYear = 365.24219;

    /// <summary>
    /// <c>AVG_SEC_PER_YEAR</c> = 86400 · 365.24219, evaluated in float64 like the reference's module constant
    /// (not exactly 31556925.216, which float64 cannot hold).
    /// </summary>
    public const double AverageSecondsPerYear = SecondsPerDay * AverageDaysPerYear;

    /// <summary>
    /// Whole seconds since 1970-01-01T00:00:00Z, rounded down like numpy's <c>astype("datetime64[s]")</c>.
    /// A <see cref="DateTimeKind.Unspecified"/> time is taken as UTC; a local time is refused.
    /// </summary>
    public static long SecondsSinceEpoch(DateTime timeUtc)
    {
        RequireUtc(timeUtc, nameof(timeUtc));
        long ticks = timeUtc.Ticks - DateTime.UnixEpoch.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        return remainder < 0 ? seconds - 1 : seconds;
    }

    /// <summary>
    /// Fraction of the (average) year elapsed: mod(seconds / 86400 / 365.24219, 1) in float64, then float32.
    /// Accepts fractional seconds because the reference does (its tests pass multiples of AVG_SEC_PER_YEAR).
    /// </summary>
    public static float YearProgress(double secondsSinceEpoch)
    {
        // Two divisions in this order, as the reference: one division by AVG_SEC_PER_YEAR would round
        // differently, and year_progress(42 · AVG_SEC_PER_YEAR) would no longer be exactly 0.
        double yearsSinceEpoch = secondsSinceEpoch / SecondsPerDay / AverageDaysPerYear;
        return (float)FloorMod(yearsSinceEpoch, 1.0);
    }

    /// <summary>Year progress of a UTC time (whole seconds, as the reference truncates to seconds).</summary>
    public static float YearProgress(DateTime timeUtc) => YearProgress(SecondsSinceEpoch(timeUtc));

    /// <summary>
    /// Fraction of the local (longitude-shifted) day elapsed:
    /// mod(mod(seconds, 86400) / 86400 + deg2rad(longitude) / 2π, 1) in float64, then float32.
    /// </summary>
    public static float DayProgress(double secondsSinceEpoch, double longitudeDegrees)
    {
        double greenwich = FloorMod(secondsSinceEpoch, SecondsPerDay) / SecondsPerDay;
        // numpy's deg2rad multiplies by the float64 constant π/180; the offset then divides by 2π.
        double longitudeOffset = longitudeDegrees * (Math.PI / 180.0) / (2 * Math.PI);
        return (float)FloorMod(greenwich + longitudeOffset, 1.0);
    }

    /// <summary>Day progress for every (time, longitude) pair: [times.Length, longitudes.Length] row-major.</summary>
    public static float[] DayProgress(ReadOnlySpan<double> secondsSinceEpoch, ReadOnlySpan<double> longitudesDegrees)
    {
        var progress = new float[secondsSinceEpoch.Length * longitudesDegrees.Length];
        for (int t = 0; t < secondsSinceEpoch.Length; t++)
        {
            for (int x = 0; x < longitudesDegrees.Length; x++)
            {
                progress[(t * longitudesDegrees.Length) + x] = DayProgress(secondsSinceEpoch[t], longitudesDegrees[x]);
            }
        }

        return progress;
    }

    /// <summary>
    /// The model features of a progress variable: sin(2π·p) and cos(2π·p), element by element.
    /// </summary>
    /// <remarks>
    /// The reference multiplies the float32 progress by the Python float 2π, which numpy keeps in float32,
    /// so the phase here is a float32 product too; sin and cos are then evaluated in float64 and rounded
    /// (numpy's float32 sin/cos are within an ulp of that).
    /// </remarks>
    public static void Featurize(ReadOnlySpan<float> progress, Span<float> sin, Span<float> cos)
    {
        if (sin.Length != progress.Length || cos.Length != progress.Length)
        {
            throw new ArgumentException(
                $"sin and cos need {progress.Length} elements, one per progress value; got {sin.Length} and {cos.Length}.");
        }

        const float TwoPi = (float)(2 * Math.PI);
        for (int i = 0; i < progress.Length; i++)
        {
            float phase = progress[i] * TwoPi;
            sin[i] = (float)Math.Sin(phase);
            cos[i] = (float)Math.Cos(phase);
        }
    }

    /// <summary>Allocating form of <see cref="Featurize(ReadOnlySpan{float}, Span{float}, Span{float})"/>.</summary>
    public static (float[] Sin, float[] Cos) Featurize(ReadOnlySpan<float> progress)
    {
        var sin = new float[progress.Length];
        var cos = new float[progress.Length];
        Featurize(progress, sin, cos);
        return (sin, cos);
    }

    /// <summary>Refuses local times: forcings are defined on UTC, and a silent conversion would shift them.</summary>
    internal static void RequireUtc(DateTime time, string parameterName)
    {
        if (time.Kind == DateTimeKind.Local)
        {
            throw new ArgumentException(
                $"Time {time:O} is a local time; forcings need UTC. Pass DateTime.ToUniversalTime() or a DateTimeKind.Utc value.",
                parameterName);
        }
    }

    /// <summary>numpy's float mod for a positive divisor: fmod (exact), moved into [0, divisor) when negative.</summary>
    internal static double FloorMod(double value, double divisor)
    {
        double remainder = value % divisor;
        return remainder < 0 ? remainder + divisor : remainder + 0.0;
    }
}
