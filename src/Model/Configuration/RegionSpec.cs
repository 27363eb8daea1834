using System.Globalization;
using System.Text.RegularExpressions;

namespace GraphCast.Model.Configuration;

/// <summary>
/// A forecast region: a named latitude/longitude box nested in a global parent (<c>NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]]</c>),
/// its grid spacing and time step (each dividing the parent's), the width of the boundary zone overwritten by the parent's
/// fields after every step, and where its parameters come from. Every value a user can get wrong is checked here, with a
/// message that names the input and the fix.
/// </summary>
/// <remarks>
/// Longitudes: <see cref="Lon0"/> is normalised into [−180°, 180°) and <see cref="Lon1"/> = Lon0 + the box's width, so a box
/// across the date line (<c>170:-170</c>, <c>170:190</c> or <c>-190:-170</c>) is one and the same box, with ascending
/// longitudes that may pass 180°.
/// </remarks>
public sealed partial record RegionSpec
{
    /// <summary>The fewest grid cells a box may span along either axis.</summary>
    public const int MinCells = 4;

    /// <summary>The boundary width, in grid cells, when none is given.</summary>
    public const int DefaultBoundary = 2;

    private RegionSpec(string name, double lat0, double lat1, double lon0, double lon1, double resolution, TimeSpan step, int boundary, RegionModelSource model)
    {
        Name = name;
        Lat0 = lat0;
        Lat1 = lat1;
        Lon0 = lon0;
        Lon1 = lon1;
        Resolution = resolution;
        Step = step;
        Boundary = boundary;
        Model = model;
    }

    /// <summary>The region's name: its blob prefix (<c>runs/{id}/regions/{name}/</c>) and its <c>--region NAME</c>.</summary>
    public string Name { get; }

    /// <summary>Southern edge, degrees (a grid row).</summary>
    public double Lat0 { get; }

    /// <summary>Northern edge, degrees (a grid row).</summary>
    public double Lat1 { get; }

    /// <summary>Western edge, degrees in [−180, 180) (a grid column).</summary>
    public double Lon0 { get; }

    /// <summary>Eastern edge, degrees, Lon0 &lt; Lon1 &lt; Lon0 + 360 (a grid column; may pass 180°).</summary>
    public double Lon1 { get; }

    /// <summary>Grid spacing in degrees; divides the parent's.</summary>
    public double Resolution { get; }

    /// <summary>Time step; divides the parent's.</summary>
    public TimeSpan Step { get; }

    /// <summary>Rows and columns at each edge overwritten by the parent's fields after each step.</summary>
    public int Boundary { get; }

    /// <summary>Where the parameters come from; <see cref="RegionModelSource.None"/> for a cut-out.</summary>
    public RegionModelSource Model { get; }

    /// <summary>A cut-out: the parent's fields in the box at the parent's resolution, no model.</summary>
    public bool IsCutout => Model.Kind == RegionModelKind.None;

    /// <summary>Grid points along latitude, (Lat1 − Lat0)/Resolution + 1.</summary>
    public int LatitudeCount => Cells(Lat0, Lat1, Resolution) + 1;

    /// <summary>Grid points along longitude, (Lon1 − Lon0)/Resolution + 1.</summary>
    public int LongitudeCount => Cells(Lon0, Lon1, Resolution) + 1;

    /// <summary>
    /// Parses <c>NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]]</c> (the value of <c>--region</c>) against its parent.
    /// RES defaults to the parent's resolution, STEP (whole hours, e.g. <c>3h</c>) to the parent's step, BOUNDARY to
    /// <see cref="DefaultBoundary"/> cells.
    /// </summary>
    /// <param name="text">The region, e.g. <c>europe:35:70:-10:30:0.5:3h</c>.</param>
    /// <param name="parentResolution">The parent model's grid spacing, degrees.</param>
    /// <param name="parentStep">The parent model's time step.</param>
    /// <param name="model">Where the parameters come from (e.g. from <c>--region-model</c>); null → <c>seed:0</c>.</param>
    /// <exception cref="ArgumentException">One line naming the bad part of <paramref name="text"/> and the fix.</exception>
    public static RegionSpec Parse(string text, double parentResolution, TimeSpan parentStep, RegionModelSource? model = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length is < 5 or > 8)
        {
            throw new ArgumentException($"Region '{text}' must be NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]], e.g. europe:35:70:-10:30:0.5:3h.");
        }

        double Number(int i, string what) =>
            double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v
                : throw new ArgumentException($"Region '{text}': {what} '{parts[i]}' is not a number of degrees, e.g. 35 or -10.5.");

        var lat0 = Number(1, "LAT0");
        var lat1 = Number(2, "LAT1");
        var lon0 = Number(3, "LON0");
        var lon1 = Number(4, "LON1");
        var resolution = parts.Length > 5 && parts[5].Length > 0 ? Number(5, "RES") : parentResolution;
        var step = parts.Length > 6 && parts[6].Length > 0 ? ParseStep(text, parts[6]) : parentStep;
        var boundary = DefaultBoundary;
        if (parts.Length > 7 && !(int.TryParse(parts[7], NumberStyles.Integer, CultureInfo.InvariantCulture, out boundary) && boundary >= 0))
        {
            throw new ArgumentException($"Region '{text}': BOUNDARY '{parts[7]}' must be a whole number of grid cells (0 or more), e.g. 2.");
        }

        return Create(parts[0], lat0, lat1, lon0, lon1, resolution, step, boundary, model ?? RegionModelSource.FromSeed(0), parentResolution, parentStep);
    }

    /// <summary>Checks and builds a region; see <see cref="Parse"/> for the meaning of each value.</summary>
    /// <exception cref="ArgumentException">One line naming the bad value and the fix.</exception>
    public static RegionSpec Create(string name, double lat0, double lat1, double lon0, double lon1, double resolution, TimeSpan step, int boundary, RegionModelSource model, double parentResolution, TimeSpan parentStep)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(model);
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"Region name '{name}' must be 1 to 64 letters, digits, '_' or '-', starting with a letter or digit (it names the region's folder), e.g. europe.");
        }

        var at = $"Region '{name}'";
        if (!(lat0 >= -90 && lat0 <= 90 && lat1 >= -90 && lat1 <= 90))
        {
            throw new ArgumentException($"{at}: latitudes {Format(lat0)}..{Format(lat1)} must lie within -90..90.");
        }

        if (!(lat0 < lat1))
        {
            throw new ArgumentException($"{at}: LAT0 {Format(lat0)} must be south of LAT1 {Format(lat1)}: give the southern edge first, e.g. {name}:{Format(Math.Min(lat0, lat1))}:{Format(Math.Max(lat0, lat1))}:….");
        }

        if (!(double.IsFinite(lon0) && double.IsFinite(lon1) && Math.Abs(lon0) <= 360 && Math.Abs(lon1) <= 360))
        {
            throw new ArgumentException($"{at}: longitudes {Format(lon0)}..{Format(lon1)} must lie within -360..360.");
        }

        var width = lon1 - lon0;
        if (width >= 360)
        {
            throw new ArgumentException($"{at}: longitudes {Format(lon0)}..{Format(lon1)} span {Format(width)}°, as wide as the globe or wider: a region must be narrower than 360° (the global forecast covers the rest).");
        }

        if (width <= 0)
        {
            // LON1 west of LON0: the box crosses the date line eastwards (170:-170 is 170..190).
            width += 360;
        }

        if (!(parentResolution > 0 && double.IsFinite(parentResolution)))
        {
            throw new ArgumentException($"{at}: the parent model has no regular grid resolution; regions need a parent on a regular grid.");
        }

        if (!(resolution > 0 && double.IsFinite(resolution)) || !IsWholeMultiple(parentResolution, resolution))
        {
            throw new ArgumentException($"{at}: RES {Format(resolution)}° must divide the parent's {Format(parentResolution)}° grid spacing, e.g. {Format(parentResolution)} or {Format(parentResolution / 4)}.");
        }

        if (model.Kind == RegionModelKind.None && resolution != parentResolution)
        {
            throw new ArgumentException($"{at}: a cut-out (model none) is written at the parent's resolution {Format(parentResolution)}°, not {Format(resolution)}°: leave RES out, or give the region a model (--region-model {name}=seed:N).");
        }

        var west = NormalizeLongitude(lon0);
        var east = west + width;
        foreach (var (edge, value) in new[] { ("LAT0", lat0), ("LAT1", lat1), ("LON0", lon0), ("LON1", lon1) })
        {
            if (!IsWholeMultiple(value, resolution))
            {
                var below = Math.Floor(value / resolution) * resolution;
                throw new ArgumentException($"{at}: {edge} {Format(value)} is not on the {Format(resolution)}° grid: use {Format(below)} or {Format(below + resolution)}.");
            }
        }

        var latCells = Cells(lat0, lat1, resolution);
        var lonCells = Cells(west, east, resolution);
        if (latCells < MinCells || lonCells < MinCells)
        {
            throw new ArgumentException($"{at}: the box is {latCells} × {lonCells} grid cells of {Format(resolution)}°; it needs at least {MinCells} cells each way: widen it or give a finer RES.");
        }

        if (!(step > TimeSpan.Zero) || step.Ticks % TimeSpan.TicksPerHour != 0 || parentStep.Ticks % step.Ticks != 0)
        {
            throw new ArgumentException($"{at}: STEP {FormatStep(step)} must divide the parent's {FormatStep(parentStep)} step (e.g. {FormatStep(parentStep)}, {FormatStep(parentStep / 2)} or 1h).");
        }

        if (boundary < 0 || 2 * boundary > Math.Min(latCells, lonCells))
        {
            throw new ArgumentException($"{at}: BOUNDARY {boundary} cells is wider than half the box ({latCells} × {lonCells} cells): use at most {Math.Min(latCells, lonCells) / 2}.");
        }

        return new RegionSpec(name, lat0, lat1, west, east, resolution, step, boundary, model);
    }

    /// <summary>Refuses two regions with one name (their outputs would share a folder).</summary>
    public static void CheckDistinct(IEnumerable<RegionSpec> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in regions)
        {
            if (!seen.Add(r.Name))
            {
                throw new ArgumentException($"Two regions are named '{r.Name}': give each --region its own name.");
            }
        }
    }

    /// <summary>This region with another model source, checked again (a cut-out must be at the parent's resolution).</summary>
    public RegionSpec WithModel(RegionModelSource model, double parentResolution, TimeSpan parentStep) =>
        Create(Name, Lat0, Lat1, Lon0, Lon1, Resolution, Step, Boundary, model, parentResolution, parentStep);

    /// <summary>The canonical text, <c>NAME:LAT0:LAT1:LON0:LON1:RES:STEP:BOUNDARY</c>, that <see cref="Parse"/> reads back to an equal region (model aside).</summary>
    public override string ToString() =>
        $"{Name}:{Format(Lat0)}:{Format(Lat1)}:{Format(Lon0)}:{Format(Lon1)}:{Format(Resolution)}:{FormatStep(Step)}:{Boundary.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Degrees wrapped into [−180, 180).</summary>
    public static double NormalizeLongitude(double longitude)
    {
        var wrapped = (decimal)longitude % 360m;
        if (wrapped >= 180m)
        {
            wrapped -= 360m;
        }
        else if (wrapped < -180m)
        {
            wrapped += 360m;
        }

        return (double)wrapped;
    }

    private static int Cells(double from, double to, double resolution) => (int)decimal.Round(((decimal)to - (decimal)from) / (decimal)resolution);

    /// <summary>Whether <paramref name="value"/> is a whole multiple of <paramref name="unit"/>, in decimal arithmetic (0.1 divides 0.3).</summary>
    private static bool IsWholeMultiple(double value, double unit) => (decimal)value % (decimal)unit == 0m;

    private static TimeSpan ParseStep(string text, string step)
    {
        var match = StepPattern().Match(step);
        if (!match.Success)
        {
            throw new ArgumentException($"Region '{text}': STEP '{step}' must be a whole number of hours, e.g. 3h.");
        }

        return TimeSpan.FromHours(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static string FormatStep(TimeSpan step) =>
        step.Ticks % TimeSpan.TicksPerHour == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)step.TotalHours}h")
            : string.Create(CultureInfo.InvariantCulture, $"{step.TotalHours:R}h");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^([0-9]{1,4})[hH]$")]
    private static partial Regex StepPattern();
}
