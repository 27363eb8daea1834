using System.Globalization;
using GraphCast.Formats.Grib;

namespace GraphCast.Data.Datasets;

/// <summary>
/// A GRIB file (edition 1 or 2) of fields on one regular latitude–longitude grid as an <see cref="IGriddedDataset"/>, decoded by
/// ecCodes (<see cref="EcCodes"/>). Messages are indexed on open (parameter, level, valid time, member) and decoded on demand.
/// </summary>
/// <remarks>
/// A variable is a GRIB <c>shortName</c> (with its <c>paramId</c>) on one kind of level: pressure levels
/// (<c>isobaricInhPa</c>, or <c>isobaricInPa</c> converted to hPa) give a variable with levels; any other level type
/// (surface, 2 m, mean sea level) a field without. Should one short name come on pressure levels and on another level type
/// (<c>z</c> on levels and at the surface), the second is named <c>shortName:typeOfLevel</c>. Valid times are
/// <c>validityDate</c>/<c>validityTime</c> (analysis and forecast steps alike); members are the <c>number</c> key in ascending
/// order. Grids other than <c>regular_ll</c>, or differing between messages, are refused.
/// </remarks>
public sealed class GribDataset : IGriddedDataset
{
    private readonly Dictionary<(string Variable, int Time, int Level, int Member), (long Offset, long Length)> _messages = [];
    private readonly FileStream _file;
    private readonly Lock _lock = new();
    private readonly bool _reverseColumns;

    private GribDataset(string path)
    {
        Source = path;
        EcCodes.EnsureLoaded();
        var framed = EcCodes.Messages(path);
        if (framed.Count == 0)
        {
            throw new InvalidDataException($"'{path}' holds no GRIB messages.");
        }

        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var entries = new List<Entry>();
        Grid? grid = null;
        foreach (var (offset, length) in framed)
        {
            var entry = Describe(ReadBytes(offset, length), offset, length);
            if (grid is null)
            {
                grid = entry.Grid;
            }
            else if (grid != entry.Grid)
            {
                throw new InvalidDataException(
                    $"'{path}' mixes grids ({grid} and, for {entry.ShortName} at {entry.Valid:yyyy-MM-dd HH:mm}, {entry.Grid}); split it into one file per grid (grib_copy -w).");
            }

            entries.Add(entry);
        }

        var g = grid!;
        Latitudes = Enumerable.Range(0, g.Nj).Select(j => g.FirstLatitude + (j * (g.LastLatitude - g.FirstLatitude) / Math.Max(1, g.Nj - 1))).ToArray();
        var lonStep = g.Ni > 1 ? Span(g.FirstLongitude, g.LastLongitude, g.ScansWestward) / (g.Ni - 1) : 0.0;
        _reverseColumns = g.ScansWestward;

        // Longitudes west → east in the order fields are returned (westward-scanning messages are flipped on read).
        var west = g.ScansWestward ? g.LastLongitude : g.FirstLongitude;
        Longitudes = Enumerable.Range(0, g.Ni).Select(i => west + (i * lonStep)).ToArray();

        Times = entries.Select(e => e.Valid).Distinct().Order().ToArray();
        var numbers = entries.Select(e => e.Number).Distinct().Order().ToArray();
        Members = numbers.Length;

        // Variables in order of first appearance; a short name on levels and on another level type is told apart.
        var variables = new List<DatasetVariable>();
        var levelsOf = new Dictionary<string, SortedSet<double>>(StringComparer.Ordinal);
        var nameOf = new Dictionary<(string ShortName, string LevelType), string>();
        foreach (var e in entries)
        {
            var key = (e.ShortName, e.IsPressure ? "pressure" : e.TypeOfLevel);
            if (!nameOf.TryGetValue(key, out var name))
            {
                name = nameOf.Values.Contains(e.ShortName) || entries.Any(o => o.ShortName == e.ShortName && o.IsPressure && !e.IsPressure)
                    ? $"{e.ShortName}:{e.TypeOfLevel}"
                    : e.ShortName;
                nameOf[key] = name;
                levelsOf[name] = [];
                variables.Add(new DatasetVariable(name, e.Units, [], StandardName: null, ParamId: e.ParamId));
            }

            if (e.IsPressure)
            {
                levelsOf[name].Add(e.LevelHpa);
            }
        }

        // Pressure levels from the top of the atmosphere down, as ERA5 files hold them.
        Variables = variables.Select(v => v with { LevelsHpa = levelsOf[v.Name].ToArray() }).ToArray();
        var byName = Variables.ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var name = nameOf[(e.ShortName, e.IsPressure ? "pressure" : e.TypeOfLevel)];
            var level = e.IsPressure ? byName[name].LevelIndex(e.LevelHpa) : 0;
            var key = (name, Array.BinarySearch((DateTime[])Times, e.Valid), level, Array.IndexOf(numbers, e.Number));
            if (!_messages.TryAdd(key, (e.Offset, e.Length)))
            {
                throw new InvalidDataException(
                    $"'{path}' has two messages for {name}{(e.IsPressure ? $" at {e.LevelHpa} hPa" : "")}, {e.Valid:yyyy-MM-dd HH:mm}Z, member {e.Number}; keep one (grib_copy).");
            }
        }
    }

    public string Source { get; }

    public IReadOnlyList<double> Latitudes { get; }

    public IReadOnlyList<double> Longitudes { get; }

    public IReadOnlyList<DateTime> Times { get; }

    public int Members { get; }

    public IReadOnlyList<DatasetVariable> Variables { get; }

    /// <summary>Number of GRIB messages in the file.</summary>
    public int MessageCount => _messages.Count;

    /// <summary>Opens and indexes the GRIB file at <paramref name="path"/>.</summary>
    /// <exception cref="DllNotFoundException">ecCodes is not installed; the message says what to install.</exception>
    /// <exception cref="InvalidDataException">Not GRIB, or not fields on one regular latitude–longitude grid.</exception>
    public static GribDataset Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No GRIB file at '{path}'.", path);
        }

        return new GribDataset(path);
    }

    public float[] ReadField(string variable, int time, int level = 0, int member = 0)
    {
        if (!_messages.TryGetValue((variable, time, level, member), out var location))
        {
            var v = Variables.FirstOrDefault(x => x.Name == variable)
                ?? throw new KeyNotFoundException($"'{Source}' has no variable '{variable}'. Variables: {string.Join(", ", Variables.Select(x => x.Name))}.");
            var where = v.HasLevels && level >= 0 && level < v.LevelsHpa.Count ? $" at {v.LevelsHpa[level]} hPa" : "";
            var when = time >= 0 && time < Times.Count ? Times[time].ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : $"time index {time}";
            throw new KeyNotFoundException($"'{Source}' has no message for {variable}{where} at {when}, member {member}.");
        }

        double[] values;
        double? missing;
        bool bitmap;
        var bytes = ReadBytes(location.Offset, location.Length);
        var handle = EcCodes.NewFromMessage(bytes);
        try
        {
            values = EcCodes.Values(handle);
            bitmap = EcCodes.Long(handle, "bitmapPresent") == 1;
            missing = EcCodes.Double(handle, "missingValue");
        }
        finally
        {
            EcCodes.Delete(handle);
        }

        var ni = Longitudes.Count;
        var result = new float[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var (row, column) = (k / ni, k % ni);
            var target = (row * ni) + (_reverseColumns ? ni - 1 - column : column);
            result[target] = bitmap && missing is { } m && values[k] == m ? float.NaN : (float)values[k];
        }

        return result;
    }

    public void Dispose() => _file.Dispose();

    public override string ToString() => $"{Source}: {string.Join("; ", Variables)}";

    private static double Span(double first, double last, bool westward)
    {
        var span = westward ? first - last : last - first;
        return span <= 0 ? span + 360.0 : span;
    }

    private byte[] ReadBytes(long offset, long length)
    {
        var buffer = new byte[length];
        lock (_lock)
        {
            _file.Position = offset;
            _file.ReadExactly(buffer);
        }

        return buffer;
    }

    private Entry Describe(byte[] message, long offset, long length)
    {
        var h = EcCodes.NewFromMessage(message);
        try
        {
            string Text(string key) => EcCodes.String(h, key) ?? throw new InvalidDataException($"'{Source}': a GRIB message at byte {offset} has no '{key}'.");
            long Integer(string key) => EcCodes.Long(h, key) ?? throw new InvalidDataException($"'{Source}': a GRIB message at byte {offset} has no '{key}'.");
            double Real(string key) => EcCodes.Double(h, key) ?? throw new InvalidDataException($"'{Source}': a GRIB message at byte {offset} has no '{key}'.");

            var gridType = Text("gridType");
            if (gridType != "regular_ll")
            {
                throw new InvalidDataException(
                    $"'{Source}': the GRIB message at byte {offset} is on a '{gridType}' grid; only regular latitude–longitude grids (regular_ll) are read. Interpolate it first (e.g. MIR or CDO remapbil).");
            }

            if (Integer("jPointsAreConsecutive") != 0)
            {
                throw new InvalidDataException($"'{Source}': the GRIB message at byte {offset} stores columns consecutively; only row-by-row scanning is read.");
            }

            var grid = new Grid(
                (int)Integer("Ni"), (int)Integer("Nj"),
                Real("latitudeOfFirstGridPointInDegrees"), Real("latitudeOfLastGridPointInDegrees"),
                Real("longitudeOfFirstGridPointInDegrees"), Real("longitudeOfLastGridPointInDegrees"),
                Integer("iScansNegatively") != 0);
            var typeOfLevel = Text("typeOfLevel");
            var level = Real("level");
            var date = Integer("validityDate");
            var time = Integer("validityTime");
            var valid = new DateTime((int)(date / 10000), (int)(date / 100 % 100), (int)(date % 100), (int)(time / 100), (int)(time % 100), 0, DateTimeKind.Utc);
            return new Entry(
                Text("shortName"), (int)Integer("paramId"), EcCodes.String(h, "units") ?? "", typeOfLevel,
                typeOfLevel switch { "isobaricInhPa" => level, "isobaricInPa" => level / 100.0, _ => double.NaN },
                valid, EcCodes.Long(h, "number") ?? 0, grid, offset, length);
        }
        finally
        {
            EcCodes.Delete(h);
        }
    }

    /// <summary>A regular latitude–longitude grid as GRIB describes it.</summary>
    private sealed record Grid(int Ni, int Nj, double FirstLatitude, double LastLatitude, double FirstLongitude, double LastLongitude, bool ScansWestward)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Ni}×{Nj} from ({FirstLatitude}°, {FirstLongitude}°) to ({LastLatitude}°, {LastLongitude}°)");
    }

    private sealed record Entry(
        string ShortName, int ParamId, string Units, string TypeOfLevel, double LevelHpa, DateTime Valid, long Number, Grid Grid, long Offset, long Length)
    {
        public bool IsPressure => !double.IsNaN(LevelHpa);
    }
}
