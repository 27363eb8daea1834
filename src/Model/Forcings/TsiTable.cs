namespace GraphCast.Model.Forcings;

/// <summary>
/// A yearly table of total solar irradiance (TSI, W·m⁻²) and its interpolation at a point in time,
/// as the reference's <c>solar_radiation.get_tsi</c>: linear in fractional years, clamped at both ends.
/// </summary>
public sealed class TsiTable
{
    /// <summary>Reference TSI used when better data is missing (W·m⁻²), as <c>_REFERENCE_TSI</c>.</summary>
    public const double ReferenceTsi = 1361.0;

    /// <summary>Scale ECMWF applied to the IFS cycle 41r2 values so they agree with recent observations.</summary>
    public const double Era5Scale = 0.9965;

    // Yearly TSI (W·m⁻²) that ECMWF hard-coded in IFS cycle 41r2 and used for ERA5, before scaling by
    // Era5Scale. Values are those of graphcast/solar_radiation.py (era5_tsi_data) at google-deepmind/graphcast
    // commit 08cf736, for mid-years 1951.5 … 2008.5. The table there continues to 2034.5 by repeating the
    // last 13 values (1996–2008) for 2009–2021 and again for 2022–2034; CreateEra5 does that repetition.
    private static readonly double[] Era5Ifs41r2Values1951To2008 =
    [
        // 1951–1995 (non-repeating)
        1365.7765, 1365.7676, 1365.6284, 1365.6564, 1365.7773,
        1366.3109, 1366.6681, 1366.6328, 1366.3828, 1366.2767,
        1365.9199, 1365.7484, 1365.6963, 1365.6976, 1365.7341,
        1365.9178, 1366.1143, 1366.1644, 1366.2476, 1366.2426,
        1365.9580, 1366.0525, 1365.7991, 1365.7271, 1365.5345,
        1365.6453, 1365.8331, 1366.2747, 1366.6348, 1366.6482,
        1366.6951, 1366.2859, 1366.1992, 1365.8103, 1365.6416,
        1365.6379, 1365.7899, 1366.0826, 1366.6479, 1366.5533,
        1366.4457, 1366.3021, 1366.0286, 1365.7971, 1365.6996,
        // 1996–2008 (the 13-year cycle repeated for 2009–2021 and 2022–2034)
        1365.6121, 1365.7399, 1366.1021, 1366.3851, 1366.6836,
        1366.6022, 1366.6807, 1366.2300, 1366.0480, 1365.8545,
        1365.8107, 1365.7240, 1365.6918,
    ];

    private const int Era5CycleLength = 13;
    private const int Era5CycleRepeats = 2;

    private readonly double[] _years;
    private readonly double[] _values;

    /// <summary>
    /// A table of TSI values (W·m⁻²) at fractional years (e.g. 2023.5 is the middle of 2023),
    /// strictly increasing; one entry makes a constant.
    /// </summary>
    public TsiTable(IEnumerable<double> years, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(years);
        ArgumentNullException.ThrowIfNull(values);
        _years = years.ToArray();
        _values = values.ToArray();
        if (_years.Length == 0 || _years.Length != _values.Length)
        {
            throw new ArgumentException(
                $"A TSI table needs at least one (year, value) pair and as many values as years; got {_years.Length} years and {_values.Length} values.",
                nameof(values));
        }

        for (int i = 0; i < _years.Length; i++)
        {
            if (!double.IsFinite(_years[i]) || !double.IsFinite(_values[i]))
            {
                throw new ArgumentException(
                    $"TSI table entry {i} (year {_years[i]}, value {_values[i]}) is not finite; give finite years and W·m⁻² values.",
                    nameof(years));
            }

            if (i > 0 && _years[i] <= _years[i - 1])
            {
                throw new ArgumentException(
                    $"TSI table years must increase strictly; year {_years[i]} at entry {i} follows {_years[i - 1]}. Sort the table by year.",
                    nameof(years));
            }
        }
    }

    /// <summary>The constant 1361 W·m⁻² (the reference's <c>reference_tsi_data</c>).</summary>
    public static TsiTable Reference { get; } = new([0.0], [ReferenceTsi]);

    /// <summary>ERA5-compatible yearly TSI, 1951.5 … 2034.5 (the reference's default, <c>era5_tsi_data</c>).</summary>
    public static TsiTable Era5 { get; } = CreateEra5();

    /// <summary>Fractional years of the table entries.</summary>
    public IReadOnlyList<double> Years => _years;

    /// <summary>TSI values (W·m⁻²) of the table entries.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>TSI at a UTC time: the table interpolated at <see cref="FractionalYear"/>.</summary>
    public double At(DateTime timeUtc) => At(FractionalYear(timeUtc));

    /// <summary>
    /// TSI at a fractional year with numpy's <c>interp</c> semantics: linear between entries, the first
    /// (last) value before (after) the table, an entry's own value at its year.
    /// </summary>
    public double At(double fractionalYear)
    {
        if (double.IsNaN(fractionalYear))
        {
            return double.NaN;
        }

        int last = _years.Length - 1;
        if (fractionalYear <= _years[0])
        {
            return _values[0];
        }

        if (fractionalYear >= _years[last])
        {
            return _values[last];
        }

        // The entry j with years[j] <= x < years[j + 1].
        int found = Array.BinarySearch(_years, fractionalYear);
        if (found >= 0)
        {
            return _values[found];
        }

        int j = ~found - 1;
        double slope = (_values[j + 1] - _values[j]) / (_years[j + 1] - _years[j]);
        return (slope * (fractionalYear - _years[j])) + _values[j];
    }

    /// <summary>
    /// year + (day of year − 1 + fraction of the day) / (365 or 366), in float64 as pandas computes it,
    /// so 2020-07-02T00:00 is exactly 2020.5.
    /// </summary>
    public static double FractionalYear(DateTime timeUtc)
    {
        ProgressFeatures.RequireUtc(timeUtc, nameof(timeUtc));
        double dayFraction = timeUtc.TimeOfDay.Ticks / (double)TimeSpan.TicksPerDay;
        int yearLength = DateTime.IsLeapYear(timeUtc.Year) ? 366 : 365;
        double yearFraction = (timeUtc.DayOfYear - 1 + dayFraction) / yearLength;
        return timeUtc.Year + yearFraction;
    }

    private static TsiTable CreateEra5()
    {
        var raw = new List<double>(Era5Ifs41r2Values1951To2008);
        var cycle = Era5Ifs41r2Values1951To2008[^Era5CycleLength..];
        for (int r = 0; r < Era5CycleRepeats; r++)
        {
            raw.AddRange(cycle);
        }

        // Years 1951.5, 1952.5, …: start + i, exact in float64 as numpy's arange gives them.
        var years = Enumerable.Range(0, raw.Count).Select(i => 1951.5 + i);
        return new TsiTable(years, raw.Select(v => Era5Scale * v));
    }
}
