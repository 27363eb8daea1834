using GraphCast.Formats.NetCdf;

namespace GraphCast.Data.Datasets;

/// <summary>
/// A netCDF file (classic CDF-1/2/5 or netCDF-4) as an <see cref="IGriddedDataset"/>. It understands the two layouts forecast
/// data comes in: the GraphCast example datasets (long names, dims <c>batch, time, level, lat, lon</c>, latitude ascending,
/// valid times in a <c>datetime(batch, time)</c> coordinate) and CF files such as ecCodes' <c>grib_to_netcdf</c> writes
/// (short names, dims <c>time, [number,] level, latitude, longitude</c>, latitude descending, level in hPa, time as hours since
/// 1900), and ERA5 downloads in either.
/// </summary>
/// <remarks>
/// Dimensions are recognised by name: latitude <c>lat|latitude</c>, longitude <c>lon|longitude</c>, pressure level
/// <c>level|pressure_level|isobaricInhPa|plev|lev</c> (hPa, or Pa when its units say so), time <c>time|valid_time</c>,
/// ensemble member <c>number|member|realization</c>, and <c>batch</c>, of which the first entry is read. A data variable is
/// one whose last two dimensions are latitude and longitude and whose other dimensions are among these; anything else
/// (forcings over time only, bounds) is not a field and is left out. A variable without a time dimension (orography, a
/// land–sea mask) reads the same at every time.
/// </remarks>
public sealed class NetCdfGriddedDataset : IGriddedDataset
{
    private static readonly string[] LatitudeNames = ["lat", "latitude"];
    private static readonly string[] LongitudeNames = ["lon", "longitude"];
    private static readonly string[] LevelNames = ["level", "pressure_level", "isobaricInhPa", "plev", "lev"];
    private static readonly string[] TimeNames = ["time", "valid_time"];
    private static readonly string[] MemberNames = ["number", "member", "realization"];
    private const string BatchName = "batch";

    private readonly NetCdfDataset _file;
    private readonly Dictionary<string, DatasetVariable> _byName = new(StringComparer.Ordinal);

    private NetCdfGriddedDataset(NetCdfDataset file)
    {
        _file = file;
        Source = file.Path;
        var latName = Find(LatitudeNames) ?? throw Bad("no latitude dimension (lat or latitude)");
        var lonName = Find(LongitudeNames) ?? throw Bad("no longitude dimension (lon or longitude)");
        LatitudeDimension = latName;
        LongitudeDimension = lonName;
        Latitudes = Coordinate(latName);
        Longitudes = Coordinate(lonName);
        TimeDimension = Find(TimeNames);
        MemberDimension = Find(MemberNames);
        Members = MemberDimension is null ? 1 : (int)file.Dimension(MemberDimension).Length;
        Times = TimeDimension is null ? [] : DecodeTimes(TimeDimension);
        for (var i = 1; i < Times.Count; i++)
        {
            if (Times[i] <= Times[i - 1])
            {
                throw Bad($"its times are not increasing ({Times[i - 1]:yyyy-MM-dd HH:mm} then {Times[i]:yyyy-MM-dd HH:mm})");
            }
        }

        var known = new HashSet<string>([.. LevelNames, .. TimeNames, .. MemberNames, BatchName], StringComparer.Ordinal);
        var variables = new List<DatasetVariable>();
        var misshapen = new List<DatasetVariable>();
        foreach (var v in file.Variables.Values)
        {
            var dims = v.DimensionNames.ToArray();
            if (v.IsCoordinate || dims.Length < 2 || v.Type is NetCdfType.Char or NetCdfType.String)
            {
                continue;
            }

            var shape = "(" + string.Join(", ", dims.Select((d, i) => $"{d}={v.Shape[i]}")) + ")";
            if (dims[^2] != latName || dims[^1] != lonName || !dims[..^2].All(known.Contains))
            {
                // Not a field this reader can read. One that has the grid's dimensions in another order (or with a dimension of
                // its own) is kept aside, so that a model input laid out so is refused with its shape instead of passed over.
                if (dims.Contains(latName) && dims.Contains(lonName))
                {
                    misshapen.Add(new DatasetVariable(v.Name, v.Units ?? "", [], v.TextAttribute("standard_name"), Shape: shape));
                }

                continue;
            }

            var levelDim = dims[..^2].FirstOrDefault(d => LevelNames.Contains(d));
            var levels = levelDim is null ? [] : LevelsHpa(levelDim);
            var variable = new DatasetVariable(v.Name, v.Units ?? "", levels, v.TextAttribute("standard_name"), Shape: shape);
            variables.Add(variable);
            _byName[v.Name] = variable;
        }

        Variables = variables;
        Misshapen = misshapen;
    }

    public string Source { get; }

    public IReadOnlyList<double> Latitudes { get; }

    public IReadOnlyList<double> Longitudes { get; }

    public IReadOnlyList<DateTime> Times { get; }

    public int Members { get; }

    public IReadOnlyList<DatasetVariable> Variables { get; }

    public IReadOnlyList<DatasetVariable> Misshapen { get; }

    /// <summary>The file's name of the latitude dimension (<c>lat</c> or <c>latitude</c>).</summary>
    public string LatitudeDimension { get; }

    /// <summary>The file's name of the longitude dimension.</summary>
    public string LongitudeDimension { get; }

    /// <summary>The file's name of the time dimension, or null.</summary>
    public string? TimeDimension { get; }

    /// <summary>The file's name of the member dimension, or null.</summary>
    public string? MemberDimension { get; }

    /// <summary>The underlying netCDF file.</summary>
    public NetCdfDataset File => _file;

    /// <summary>Opens the netCDF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not netCDF, or not a gridded dataset; the message says what is missing.</exception>
    public static NetCdfGriddedDataset Open(string path)
    {
        var file = NetCdfDataset.Open(path);
        try
        {
            return new NetCdfGriddedDataset(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public float[] ReadField(string variable, int time, int level = 0, int member = 0)
    {
        if (!_byName.TryGetValue(variable, out var described))
        {
            throw new KeyNotFoundException($"'{Source}' has no gridded variable '{variable}'. Variables: {string.Join(", ", _byName.Keys)}.");
        }

        var v = _file.Variable(variable);
        var dims = v.DimensionNames.ToArray();
        var start = new long[dims.Length];
        var count = new long[dims.Length];
        for (var d = 0; d < dims.Length; d++)
        {
            var name = dims[d];
            (start[d], count[d]) = name switch
            {
                _ when name == LatitudeDimension || name == LongitudeDimension => (0L, v.Shape[d]),
                _ when name == TimeDimension => (Index(time, Times.Count, "time"), 1L),
                _ when name == MemberDimension => (Index(member, Members, "member"), 1L),
                _ when LevelNames.Contains(name) => (Index(level, described.LevelsHpa.Count, "level"), 1L),
                _ => (0L, 1L), // batch: the first entry
            };
        }

        return v.ReadFloat(start, count);
    }

    public void Dispose() => _file.Dispose();

    public override string ToString() => $"{Source}: {string.Join("; ", Variables)}";

    private static long Index(int index, int length, string what) =>
        index >= 0 && index < length ? index : throw new ArgumentOutOfRangeException(what, index, $"The {what} index must be in [0, {length}).");

    private string? Find(string[] names) => names.FirstOrDefault(_file.Dimensions.ContainsKey);

    private double[] Coordinate(string dimension) =>
        _file.TryGetVariable(dimension, out var v) ? v.ReadDouble()
            : throw Bad($"no coordinate variable for its '{dimension}' dimension");

    private double[] LevelsHpa(string dimension)
    {
        var values = Coordinate(dimension);
        var units = (_file.Variable(dimension).Units ?? "hPa").Trim();
        var scale = units switch
        {
            "Pa" or "pascal" or "pascals" => 0.01,
            "hPa" or "millibars" or "millibar" or "mbar" or "mb" or "hectopascal" or "hectopascals" or "" => 1.0,
            _ => throw Bad($"its '{dimension}' coordinate has units '{units}'; pressure levels must be in hPa, millibars or Pa"),
        };
        return values.Select(p => p * scale).ToArray();
    }

    private DateTime[] DecodeTimes(string dimension)
    {
        // The GraphCast example datasets keep `time` as a lead time (a timedelta) and the valid times in datetime(batch, time).
        if (_file.TryGetVariable("datetime", out var datetime) && datetime.DimensionNames.Last() == dimension)
        {
            var all = CfTime.Decode(datetime);
            return all.Take((int)_file.Dimension(dimension).Length).ToArray();
        }

        if (!_file.TryGetVariable(dimension, out var time))
        {
            throw Bad($"no coordinate variable for its '{dimension}' dimension");
        }

        if (time.Units is { } units && !units.Contains(" since ", StringComparison.Ordinal))
        {
            throw Bad($"its '{dimension}' coordinate is a duration (units '{units}') and there is no datetime coordinate to give valid times");
        }

        return CfTime.Decode(time);
    }

    private InvalidDataException Bad(string what) =>
        new($"'{Source}' is not a gridded dataset this reader understands: {what}. It needs latitude/longitude dimensions with coordinates, and CF time units (\"hours since …\").");
}
