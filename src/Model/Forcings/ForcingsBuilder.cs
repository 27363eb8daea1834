namespace GraphCast.Model.Forcings;

/// <summary>
/// Builds GraphCast's forcing variables for a lat/lon grid and a list of times: TOA incident solar
/// radiation (time, lat, lon), year progress sin/cos (time) and day progress sin/cos (time, lon), as the
/// reference's <c>data_utils.add_derived_vars</c> and <c>add_tisr_var</c> derive them.
/// </summary>
/// <remarks>
/// As in the reference, a variable the dataset already has is kept, not recomputed: in particular ERA5 data
/// that carries its own <c>toa_incident_solar_radiation</c> keeps it. The reference's batch dimension is left
/// to the caller; all variables here start with time.
/// </remarks>
public sealed class ForcingsBuilder
{
    /// <summary>TOA incident solar radiation integrated over the hour ending at each time (J·m⁻²).</summary>
    public const string ToaIncidentSolarRadiation = "toa_incident_solar_radiation";

    /// <summary>sin(2π · year progress).</summary>
    public const string YearProgressSin = "year_progress_sin";

    /// <summary>cos(2π · year progress).</summary>
    public const string YearProgressCos = "year_progress_cos";

    /// <summary>sin(2π · day progress) at each longitude.</summary>
    public const string DayProgressSin = "day_progress_sin";

    /// <summary>cos(2π · day progress) at each longitude.</summary>
    public const string DayProgressCos = "day_progress_cos";

    /// <summary>Dimension name of the times.</summary>
    public const string TimeDim = "time";

    /// <summary>Dimension name of the latitudes.</summary>
    public const string LatDim = "lat";

    /// <summary>Dimension name of the longitudes.</summary>
    public const string LonDim = "lon";

    /// <summary>GraphCast's forcing variables, in the reference's <c>FORCING_VARS</c> order.</summary>
    public static IReadOnlyList<string> ForcingVariableNames { get; } =
        [ToaIncidentSolarRadiation, YearProgressSin, YearProgressCos, DayProgressSin, DayProgressCos];

    private readonly SolarRadiation _solarRadiation;

    /// <summary>A builder computing TISR with <paramref name="solarRadiation"/> (default: ERA5 TSI, float64, 1 h, 360 bins).</summary>
    public ForcingsBuilder(SolarRadiation? solarRadiation = null)
    {
        _solarRadiation = solarRadiation ?? new SolarRadiation();
    }

    /// <summary>
    /// The five forcing variables for <paramref name="timesUtc"/> on the grid <paramref name="latitudes"/> ×
    /// <paramref name="longitudes"/> (degrees). A variable present in <paramref name="existing"/> (e.g. the
    /// dataset's own TISR) is returned as given, after checking its dims and shape; the others are computed.
    /// </summary>
    public IReadOnlyDictionary<string, ForcingVariable> Build(
        IReadOnlyList<DateTime> timesUtc,
        ReadOnlySpan<double> latitudes,
        ReadOnlySpan<double> longitudes,
        IReadOnlyDictionary<string, ForcingVariable>? existing = null)
    {
        ArgumentNullException.ThrowIfNull(timesUtc);
        int numTimes = timesUtc.Count;
        int numLat = latitudes.Length;
        int numLon = longitudes.Length;
        var result = new Dictionary<string, ForcingVariable>(StringComparer.Ordinal);

        var seconds = new double[numTimes];
        for (int t = 0; t < numTimes; t++)
        {
            seconds[t] = ProgressFeatures.SecondsSinceEpoch(timesUtc[t]);
        }

        if (!TryKeep(existing, ToaIncidentSolarRadiation, [TimeDim, LatDim, LonDim], [numTimes, numLat, numLon], result))
        {
            float[] tisr = _solarRadiation.Compute(timesUtc, latitudes, longitudes);
            Add(result, ToaIncidentSolarRadiation, [TimeDim, LatDim, LonDim], [numTimes, numLat, numLon], tisr);
        }

        bool keepYearSin = TryKeep(existing, YearProgressSin, [TimeDim], [numTimes], result);
        bool keepYearCos = TryKeep(existing, YearProgressCos, [TimeDim], [numTimes], result);
        if (!keepYearSin || !keepYearCos)
        {
            var yearProgress = new float[numTimes];
            for (int t = 0; t < numTimes; t++)
            {
                yearProgress[t] = ProgressFeatures.YearProgress(seconds[t]);
            }

            var (sin, cos) = ProgressFeatures.Featurize(yearProgress);
            AddUnlessKept(result, keepYearSin, YearProgressSin, [TimeDim], [numTimes], sin);
            AddUnlessKept(result, keepYearCos, YearProgressCos, [TimeDim], [numTimes], cos);
        }

        bool keepDaySin = TryKeep(existing, DayProgressSin, [TimeDim, LonDim], [numTimes, numLon], result);
        bool keepDayCos = TryKeep(existing, DayProgressCos, [TimeDim, LonDim], [numTimes, numLon], result);
        if (!keepDaySin || !keepDayCos)
        {
            float[] dayProgress = ProgressFeatures.DayProgress(seconds, longitudes);
            var (sin, cos) = ProgressFeatures.Featurize(dayProgress);
            AddUnlessKept(result, keepDaySin, DayProgressSin, [TimeDim, LonDim], [numTimes, numLon], sin);
            AddUnlessKept(result, keepDayCos, DayProgressCos, [TimeDim, LonDim], [numTimes, numLon], cos);
        }

        return result;
    }

    private static bool TryKeep(
        IReadOnlyDictionary<string, ForcingVariable>? existing,
        string name,
        string[] dims,
        int[] shape,
        Dictionary<string, ForcingVariable> result)
    {
        if (existing is null || !existing.TryGetValue(name, out var given))
        {
            return false;
        }

        if (!given.Dims.SequenceEqual(dims) || !given.Shape.SequenceEqual(shape))
        {
            throw new ArgumentException(
                $"The given '{name}' has dims ({string.Join(", ", given.Dims)}) and shape [{string.Join(", ", given.Shape)}], " +
                $"but these times and grid need dims ({string.Join(", ", dims)}) and shape [{string.Join(", ", shape)}]. " +
                "Pass it on the same times and grid, or leave it out to have it computed.",
                nameof(existing));
        }

        result[name] = given;
        return true;
    }

    private static void AddUnlessKept(
        Dictionary<string, ForcingVariable> result, bool kept, string name, string[] dims, int[] shape, float[] data)
    {
        if (!kept)
        {
            Add(result, name, dims, shape, data);
        }
    }

    private static void Add(Dictionary<string, ForcingVariable> result, string name, string[] dims, int[] shape, float[] data) =>
        result[name] = new ForcingVariable(name, dims, shape, data);
}
