using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphCast.Model.Forcings;

/// <summary>
/// ERA5-compatible top-of-atmosphere incident solar radiation (TISR, J·m⁻²): the instantaneous flux
/// TSI · (1/r)² · max(sin altitude, 0) integrated over the period ending at the timestamp (1 h by default),
/// by the trapezoid rule on equally spaced samples (360 bins, 361 samples, 10 s apart), as the reference's
/// <c>solar_radiation.get_toa_incident_solar_radiation</c>.
/// </summary>
/// <remarks>
/// Precision (see <see cref="SolarRadiationPrecision"/>): the default is float64 throughout. The reference
/// builds its sample times as float32 under JAX's default x64-off mode (days since J2000 rounded to float32,
/// ≈42 s steps in 2020); <see cref="SolarRadiationPrecision.Float32"/> reproduces that path. Both use the
/// same transcription (generic in the float type); they differ by a few parts per million.
/// Days since J2000 are computed exactly from <see cref="DateTime"/> ticks, not through a rounded Julian date
/// as pandas does (a difference below 0.1 ms, which changes no float32 rounding for whole-second times).
/// </remarks>
public sealed class SolarRadiation
{
    /// <summary>Number of trapezoid bins over the integration period (the reference's default, which matches ERA5 well).</summary>
    public const int DefaultIntegrationBins = 360;

    // Latitude rows processed together, so each sample's row of cos(hour angle) is read once from memory
    // and reused from L1 cache for the whole block.
    private const int LatitudeBlock = 8;

    private static readonly DateTime J2000Epoch = new(2000, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    // Offsets of the samples from the timestamp, in days: −period … 0, [IntegrationBins + 1].
    private readonly double[] _sampleOffsetDays;

    // Width of one bin in seconds (the trapezoid's dx, so the integral of W·m⁻² is in J·m⁻²).
    private readonly double _binSeconds;

    /// <summary>
    /// A TISR calculator with the given TSI table (default <see cref="TsiTable.Era5"/>), precision,
    /// integration period (default 1 h, ERA5's accumulation) and number of trapezoid bins.
    /// </summary>
    public SolarRadiation(
        TsiTable? tsi = null,
        SolarRadiationPrecision precision = SolarRadiationPrecision.Float64,
        TimeSpan? integrationPeriod = null,
        int integrationBins = DefaultIntegrationBins)
    {
        TimeSpan period = integrationPeriod ?? TimeSpan.FromHours(1);
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(integrationPeriod), period, "The integration period must be positive; ERA5's TISR uses one hour.");
        }

        if (integrationBins < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(integrationBins), integrationBins, "Use at least one trapezoid bin; ERA5-compatible TISR uses 360.");
        }

        if (!Enum.IsDefined(precision))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Use Float64 or Float32.");
        }

        Tsi = tsi ?? TsiTable.Era5;
        Precision = precision;
        IntegrationPeriod = period;
        IntegrationBins = integrationBins;

        // The reference's offsets are a timedelta range in whole nanoseconds divided by one day; for the
        // default (1 h, 360 bins) each offset here is the same correctly rounded quotient.
        double periodTicks = period.Ticks;
        double binTicks = periodTicks / integrationBins;
        _sampleOffsetDays = new double[integrationBins + 1];
        for (int i = 0; i < integrationBins; i++)
        {
            _sampleOffsetDays[i] = (-periodTicks + (i * binTicks)) / TimeSpan.TicksPerDay;
        }

        _sampleOffsetDays[integrationBins] = 0.0;
        _binSeconds = binTicks / TimeSpan.TicksPerSecond;
    }

    /// <summary>The TSI table the flux is scaled by.</summary>
    public TsiTable Tsi { get; }

    /// <summary>The floating-point path taken.</summary>
    public SolarRadiationPrecision Precision { get; }

    /// <summary>The period, ending at each timestamp, over which the flux is integrated.</summary>
    public TimeSpan IntegrationPeriod { get; }

    /// <summary>Number of trapezoid bins over <see cref="IntegrationPeriod"/>.</summary>
    public int IntegrationBins { get; }

    /// <summary>Days since J2000.0 (2000-01-01T12:00, with UTC standing in for TT as in the reference).</summary>
    public static double J2000Days(DateTime timeUtc)
    {
        ProgressFeatures.RequireUtc(timeUtc, nameof(timeUtc));
        long ticks = timeUtc.Ticks - J2000Epoch.Ticks;
        long days = Math.DivRem(ticks, TimeSpan.TicksPerDay, out long remainder);
        return days + (remainder / (double)TimeSpan.TicksPerDay);
    }

    /// <summary>TISR (J·m⁻²) at one point for the period ending at <paramref name="timeUtc"/>.</summary>
    public double AtPoint(DateTime timeUtc, double latitudeDegrees, double longitudeDegrees)
    {
        double[] latitudes = [latitudeDegrees];
        double[] longitudes = [longitudeDegrees];
        ValidateGrid(latitudes, longitudes);
        double j2000Days = J2000Days(timeUtc);
        double tsi = Tsi.At(timeUtc);
        return Precision == SolarRadiationPrecision.Float64
            ? Integrate<double>(j2000Days, tsi, latitudes, longitudes)[0]
            : Integrate<float>(j2000Days, tsi, latitudes, longitudes)[0];
    }

    /// <summary>TISR (J·m⁻²) on a latitude × longitude grid at one time: [lat, lon] row-major.</summary>
    public float[] Compute(DateTime timeUtc, ReadOnlySpan<double> latitudesDegrees, ReadOnlySpan<double> longitudesDegrees)
    {
        var result = new float[latitudesDegrees.Length * longitudesDegrees.Length];
        ComputeInto(timeUtc, latitudesDegrees, longitudesDegrees, result);
        return result;
    }

    /// <summary>TISR (J·m⁻²) on a grid at several times: [time, lat, lon] row-major.</summary>
    public float[] Compute(
        IReadOnlyList<DateTime> timesUtc, ReadOnlySpan<double> latitudesDegrees, ReadOnlySpan<double> longitudesDegrees)
    {
        ArgumentNullException.ThrowIfNull(timesUtc);
        int perTime = latitudesDegrees.Length * longitudesDegrees.Length;
        var result = new float[timesUtc.Count * perTime];

        // One time at a time, as the reference does to bound memory; each is parallel over latitudes.
        for (int t = 0; t < timesUtc.Count; t++)
        {
            ComputeInto(timesUtc[t], latitudesDegrees, longitudesDegrees, result.AsSpan(t * perTime, perTime));
        }

        return result;
    }

    /// <summary>TISR (J·m⁻²) on a grid at one time, written to <paramref name="destination"/> [lat, lon].</summary>
    public void ComputeInto(
        DateTime timeUtc, ReadOnlySpan<double> latitudesDegrees, ReadOnlySpan<double> longitudesDegrees, Span<float> destination)
    {
        double[] latitudes = latitudesDegrees.ToArray();
        double[] longitudes = longitudesDegrees.ToArray();
        ValidateGrid(latitudes, longitudes);
        if (destination.Length != latitudes.Length * longitudes.Length)
        {
            throw new ArgumentException(
                $"The destination needs {latitudes.Length} × {longitudes.Length} = {latitudes.Length * longitudes.Length} elements ([lat, lon]); it has {destination.Length}.",
                nameof(destination));
        }

        double j2000Days = J2000Days(timeUtc);
        double tsi = Tsi.At(timeUtc);
        if (Precision == SolarRadiationPrecision.Float32)
        {
            Integrate<float>(j2000Days, tsi, latitudes, longitudes).CopyTo(destination);
            return;
        }

        double[] integral = Integrate<double>(j2000Days, tsi, latitudes, longitudes);
        for (int i = 0; i < integral.Length; i++)
        {
            destination[i] = (float)integral[i];
        }
    }

    private static void ValidateGrid(double[] latitudes, double[] longitudes)
    {
        foreach (double latitude in latitudes)
        {
            if (!(latitude >= -90.0 && latitude <= 90.0))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(latitudes), latitude, "Latitudes are degrees north in [-90, 90].");
            }
        }

        foreach (double longitude in longitudes)
        {
            if (!double.IsFinite(longitude))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(longitudes), longitude, "Longitudes are finite degrees east.");
            }
        }
    }

    /// <summary>The integral in precision T: [lat, lon] row-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T[] Integrate<T>(double j2000Days, double tsi, double[] latitudesDegrees, double[] longitudesDegrees)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int numSamples = _sampleOffsetDays.Length;
        int numLat = latitudesDegrees.Length;
        int numLon = longitudesDegrees.Length;

        // Radians as the reference: degrees converted to T, then multiplied by π/180 in T.
        T degreesToRadians = T.CreateChecked(Math.PI / 180.0);
        var longitudes = new T[numLon];
        for (int x = 0; x < numLon; x++)
        {
            longitudes[x] = T.CreateChecked(longitudesDegrees[x]) * degreesToRadians;
        }

        var sinLatitude = new T[numLat];
        var cosLatitude = new T[numLat];
        for (int y = 0; y < numLat; y++)
        {
            T latitude = T.CreateChecked(latitudesDegrees[y]) * degreesToRadians;
            sinLatitude[y] = T.Sin(latitude);
            cosLatitude[y] = T.Cos(latitude);
        }

        // Per sample: the flux scale tsi·(1/r)² (times the trapezoid weight, ½ at both ends), the declination,
        // and cos(hour angle) for every longitude: [numSamples], [numSamples], [numSamples, numLon].
        T j2000 = T.CreateChecked(j2000Days);
        T tsiT = T.CreateChecked(tsi);
        T twoPi = T.CreateChecked(2.0 * Math.PI);
        T secondsPerDay = T.CreateChecked((double)ProgressFeatures.SecondsPerDay);
        T half = T.CreateChecked(0.5);
        var weightedScale = new T[numSamples];
        var sinDeclination = new T[numSamples];
        var cosDeclination = new T[numSamples];
        var cosHourAngle = new T[numSamples * numLon];
        for (int s = 0; s < numSamples; s++)
        {
            // In float32 this sum is where the reference's sample times get quantised.
            T sampleDays = j2000 + T.CreateChecked(_sampleOffsetDays[s]);
            var orbit = OrbitalParameters<T>.At(sampleDays);
            T inverseDistance = T.One / orbit.SolarDistanceAu;
            T scale = tsiT * (inverseDistance * inverseDistance);
            weightedScale[s] = s == 0 || s == numSamples - 1 ? scale * half : scale;
            sinDeclination[s] = orbit.SinDeclination;
            cosDeclination[s] = orbit.CosDeclination;
            T solarTime = orbit.RotationalPhase + (orbit.EquationOfTimeSeconds / secondsPerDay);
            T hourAngleAtGreenwich = twoPi * solarTime;
            Span<T> row = cosHourAngle.AsSpan(s * numLon, numLon);
            for (int x = 0; x < numLon; x++)
            {
                row[x] = T.Cos(hourAngleAtGreenwich + longitudes[x]);
            }
        }

        var integral = new T[numLat * numLon];
        var samples = new SampleTerms<T>(weightedScale, sinDeclination, cosDeclination, cosHourAngle, numLon);
        var latitudes = new LatitudeTerms<T>(sinLatitude, cosLatitude);
        T binSeconds = T.CreateChecked(_binSeconds);
        int numBlocks = (numLat + LatitudeBlock - 1) / LatitudeBlock;
        Parallel.For(0, numBlocks, block => IntegrateBlock(block, samples, latitudes, binSeconds, integral));
        return integral;
    }

    /// <summary>The integral for one block of latitude rows, accumulated sample by sample, then times dx.</summary>
    /// <remarks>
    /// Optimised at once: this loop does nearly all the work, and under tiered compilation the first grids
    /// would otherwise run several times slower while the JIT catches up.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void IntegrateBlock<T>(
        int block, SampleTerms<T> samples, LatitudeTerms<T> latitudes, T binSeconds, T[] integral)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int numLon = samples.NumLon;
        int firstRow = block * LatitudeBlock;
        int endRow = Math.Min(firstRow + LatitudeBlock, latitudes.Sin.Length);
        for (int s = 0; s < samples.WeightedScale.Length; s++)
        {
            ReadOnlySpan<T> cosRow = samples.CosHourAngle.AsSpan(s * numLon, numLon);
            for (int y = firstRow; y < endRow; y++)
            {
                // sin(altitude) = cos lat · cos δ · cos h + sin lat · sin δ, grouped as the reference.
                T cosTerm = latitudes.Cos[y] * samples.CosDeclination[s];
                T sinTerm = latitudes.Sin[y] * samples.SinDeclination[s];
                if (T.Abs(cosTerm) + sinTerm <= T.Zero)
                {
                    // The Sun is below the horizon along the whole row: every term would add exactly +0.
                    continue;
                }

                AccumulateFlux(cosRow, integral.AsSpan(y * numLon, numLon), cosTerm, sinTerm, samples.WeightedScale[s]);
            }
        }

        Span<T> rows = integral.AsSpan(firstRow * numLon, (endRow - firstRow) * numLon);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] *= binSeconds;
        }
    }

    /// <summary>accumulator[x] += scale · max(cosTerm · cosHourAngle[x] + sinTerm, 0), vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private static void AccumulateFlux<T>(
        ReadOnlySpan<T> cosHourAngle, Span<T> accumulator, T cosTerm, T sinTerm, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated && cosHourAngle.Length >= Vector<T>.Count)
        {
            ReadOnlySpan<Vector<T>> cosVectors = MemoryMarshal.Cast<T, Vector<T>>(cosHourAngle);
            Span<Vector<T>> accumulatorVectors = MemoryMarshal.Cast<T, Vector<T>>(accumulator);
            var cosTermVector = new Vector<T>(cosTerm);
            var sinTermVector = new Vector<T>(sinTerm);
            var scaleVector = new Vector<T>(scale);
            for (int v = 0; v < cosVectors.Length; v++)
            {
                Vector<T> sinAltitude = (cosTermVector * cosVectors[v]) + sinTermVector;
                accumulatorVectors[v] += scaleVector * Vector.Max(sinAltitude, Vector<T>.Zero);
            }

            x = cosVectors.Length * Vector<T>.Count;
        }

        for (; x < cosHourAngle.Length; x++)
        {
            T sinAltitude = (cosTerm * cosHourAngle[x]) + sinTerm;
            accumulator[x] += scale * T.Max(sinAltitude, T.Zero);
        }
    }

    /// <summary>Per-sample terms: [numSamples] scales and declinations, [numSamples, numLon] cos(hour angle).</summary>
    private sealed record SampleTerms<T>(T[] WeightedScale, T[] SinDeclination, T[] CosDeclination, T[] CosHourAngle, int NumLon);

    /// <summary>Per-latitude terms: [numLat] sin and cos of latitude.</summary>
    private sealed record LatitudeTerms<T>(T[] Sin, T[] Cos);
}
