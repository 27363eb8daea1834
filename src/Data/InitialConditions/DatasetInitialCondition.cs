using System.Globalization;
using GraphCast.Data.Datasets;
using GraphCast.Data.Regridding;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.InitialConditions;

namespace GraphCast.Data.InitialConditions;

/// <summary>
/// A model's initial condition from a gridded dataset: the input frames ending at the init time, every non-forcing input of
/// the task read through <see cref="DatasetVariableMap"/> (with its unit conversions) at the task's pressure levels,
/// regridded to the model grid (<see cref="LatLonRegridder"/>), with lacking inputs filled per <see cref="FillPolicy"/> or
/// refused in one error that lists them all. Forcings are not read: they are computed for each frame as in the rollout.
/// </summary>
public sealed class DatasetInitialCondition
{
    private DatasetInitialCondition(IReadOnlyList<GridFields> frames, IReadOnlyList<DateTime> times, IReadOnlyList<FilledField> filled, IReadOnlyList<string> sources)
    {
        Frames = frames;
        Times = times;
        Filled = filled;
        Sources = sources;
    }

    /// <summary>One <see cref="GridFields"/> per input frame, oldest first, on the model grid (<c>[levels, lat, lon]</c>, the task's level order).</summary>
    public IReadOnlyList<GridFields> Frames { get; }

    /// <summary>The valid time of each frame.</summary>
    public IReadOnlyList<DateTime> Times { get; }

    /// <summary>What was filled, and how.</summary>
    public IReadOnlyList<FilledField> Filled { get; }

    /// <summary>Where each model variable read from the dataset came from (<c>specific_humidity ← r (%) with t, …</c>).</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>
    /// Reads the initial condition of <paramref name="task"/> valid at <paramref name="initTime"/> from <paramref name="dataset"/>
    /// onto the grid of <paramref name="latitudes"/> × <paramref name="longitudes"/> (degrees).
    /// </summary>
    /// <param name="member">The dataset's ensemble member to read (0 for data without members).</param>
    /// <exception cref="ArgumentException">
    /// The dataset lacks a frame time, lacks inputs and the fill policy does not cover them (every lack is listed), or holds
    /// missing values (NaN); each message names the dataset and the fix.
    /// </exception>
    public static DatasetInitialCondition Read(
        IGriddedDataset dataset, TaskConfig task, float[] latitudes, float[] longitudes, DateTime initTime, FillPolicy fill, int member = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(task);
        var name = dataset.Source;
        var frameCount = task.InputFrames;
        var times = Enumerable.Range(0, frameCount).Select(i => initTime - (task.TimeStep * (frameCount - 1 - i))).ToArray();
        var timeIndex = times.Select(t => IndexOfTime(dataset, t)).ToArray();
        var lacking = times.Where((t, i) => timeIndex[i] < 0).ToArray();
        if (lacking.Length > 0)
        {
            var available = dataset.Times.Count == 0 ? "no times" : string.Join(", ", dataset.Times.Select(Iso));
            throw new ArgumentException(
                $"'{name}' has no data at {string.Join(" and ", lacking.Select(Iso))}, which the model needs as input frames ending at the init time {Iso(initTime)}. " +
                $"It has {available}; pick an --init-time whose {frameCount} frames, {task.TimeStep.TotalHours:0} h apart, are all there.");
        }

        if (member < 0 || member >= dataset.Members)
        {
            throw new ArgumentException($"'{name}' has {dataset.Members} ensemble member(s); member {member} is not one of them.");
        }

        var map = new DatasetVariableMap(dataset);
        var levels = task.PressureLevels;
        var wanted = task.InputVariables.Where(v => !task.ForcingVariables.Contains(v)).Distinct().Order(StringComparer.Ordinal).ToArray();

        // A model input that is in the file but in a shape it cannot be read from is an error, whatever the fill policy: it is
        // never passed over as missing and then filled in.
        var misshapen = wanted.SelectMany(v => map.MisshapenFor(v).Select(d => Misshapen(dataset, v, d))).ToList();
        if (misshapen.Count > 0)
        {
            throw new ArgumentException($"'{name}': {string.Join("; ", misshapen)}. Nothing was read; such a variable is not filled in.");
        }

        // Which (variable, level) the data gives, which can be interpolated, and what is left.
        var plan = new Dictionary<string, LevelPlan[]>(StringComparer.Ordinal);
        var missing = new List<string>();
        var filled = new List<FilledField>();
        foreach (var v in wanted)
        {
            if (!TaskConfig.HasLevels(v))
            {
                var has = map.Provides(v);
                plan[v] = [has ? LevelPlan.Read : LevelPlan.Missing];
                if (!has)
                {
                    missing.Add(v);
                }

                continue;
            }

            var available = map.LevelsOf(v);
            var logs = available.Select(p => Math.Log(p)).ToArray();
            var levelPlans = levels.Select(p =>
                available.Any(a => Math.Abs(a - p) < 1e-6) ? LevelPlan.Read
                : fill.HasFlag(FillPolicy.Interpolate) && logs.Length >= 2 && Math.Log(p) > logs.Min() && Math.Log(p) < logs.Max() ? LevelPlan.Interpolated
                : LevelPlan.Missing).ToArray();
            plan[v] = levelPlans;
            var absent = levels.Where((p, k) => levelPlans[k] == LevelPlan.Missing).ToArray();
            if (absent.Length == levels.Count)
            {
                missing.Add(v);
            }
            else if (absent.Length > 0)
            {
                missing.Add($"{v} at {string.Join(", ", absent)} hPa");
            }

            var interpolated = levels.Where((p, k) => levelPlans[k] == LevelPlan.Interpolated).ToArray();
            if (interpolated.Length > 0)
            {
                filled.Add(new FilledField(v, interpolated, "interpolated in log-pressure"));
            }
        }

        if (missing.Count > 0 && !fill.HasFlag(FillPolicy.Analytic))
        {
            var offer = fill.HasFlag(FillPolicy.Interpolate) ? "--fill interpolate,analytic" : "--fill analytic (or --fill interpolate,analytic)";
            throw new ArgumentException(
                $"'{name}' lacks inputs the model needs: {string.Join("; ", missing)}. It has {DescribeDataset(dataset)}. " +
                $"Give a dataset with them, or fill them with {offer} (docs/initial-conditions.md says what each fills).");
        }

        // The analytic state supplies whatever is still missing (unperturbed: the fill should not add the wave's trigger).
        IReadOnlyDictionary<string, AnalyticField>? analytic = null;
        var analyticVariables = wanted.Where(v => plan[v].Contains(LevelPlan.Missing)).ToArray();
        if (analyticVariables.Length > 0)
        {
            analytic = AnalyticState.JablonowskiWilliamson(latitudes, longitudes, levels, analyticVariables, perturbation: false);
            foreach (var v in analyticVariables)
            {
                var at = TaskConfig.HasLevels(v) ? levels.Where((p, k) => plan[v][k] == LevelPlan.Missing).ToArray() : [];
                filled.Add(new FilledField(v, at, "analytic"));
            }
        }

        var regridder = new LatLonRegridder(dataset.Latitudes, dataset.Longitudes, latitudes.Select(x => (double)x).ToArray(), longitudes.Select(x => (double)x).ToArray());
        var nodes = latitudes.Length * longitudes.Length;
        var frames = new GridFields[frameCount];
        for (var f = 0; f < frameCount; f++)
        {
            var fields = new GridFields(latitudes, longitudes);
            foreach (var v in wanted)
            {
                var levelCount = TaskConfig.HasLevels(v) ? levels.Count : 1;
                var data = new float[levelCount * nodes];
                var read = new Dictionary<double, float[]>();
                float[] Field(double? p)
                {
                    var raw = map.Read(v, p, timeIndex[f], member);
                    CheckFinite(raw, name, v, p, times[f]);
                    return regridder.Regrid(raw);
                }

                for (var k = 0; k < levelCount; k++)
                {
                    var target = data.AsSpan(k * nodes, nodes);
                    switch (plan[v][k])
                    {
                        case LevelPlan.Read:
                            (TaskConfig.HasLevels(v) ? Field(levels[k]) : Field(null)).CopyTo(target);
                            break;
                        case LevelPlan.Interpolated:
                            Interpolate(map.LevelsOf(v), levels[k], p => read.TryGetValue(p, out var x) ? x : read[p] = Field(p), target);
                            break;
                        default:
                            analytic![v].Data.AsSpan(k * nodes, nodes).CopyTo(target);
                            break;
                    }
                }

                fields.Set(v, data);
            }

            frames[f] = fields;
        }

        var sources = wanted.Where(map.Provides).Select(v => $"{v} ← {map.Describe(v)}").ToArray();
        return new DatasetInitialCondition(frames, times, filled, sources);
    }

    /// <summary>One variable's wrong shape: what the file has, what the model reads, and how to fix it.</summary>
    private static string Misshapen(IGriddedDataset dataset, string model, DatasetVariable found)
    {
        var levels = TaskConfig.HasLevels(model);
        var expected = string.Create(CultureInfo.InvariantCulture,
            $"({(dataset.Members > 1 ? "member, " : "")}time, {(levels ? "level, " : "")}latitude={dataset.Latitudes.Count}, longitude={dataset.Longitudes.Count})");
        var shape = found.Shape ?? "(one 2-D field per time)";
        if (dataset.Misshapen.Contains(found))
        {
            // Latitude and longitude are there, not last: the same dimensions reordered read.
            var dims = shape.Trim('(', ')').Split(", ").Select(d => d[..d.IndexOf('=', StringComparison.Ordinal)]).ToList();
            var grid = dims.Where(d => d is "lat" or "latitude" or "lon" or "longitude").OrderBy(d => d.StartsWith("lon", StringComparison.Ordinal)).ToList();
            var order = string.Join(",", dims.Except(grid).Concat(grid));
            return $"variable '{found.Name}' ({model}) has shape {shape}, but the model reads it as {expected}, latitude and longitude last: reorder its dimensions (e.g. ncpdq -a {order} IN.nc OUT.nc) or remove it";
        }

        return levels
            ? $"variable '{found.Name}' ({model}) has shape {shape} without pressure levels, but {model} is on pressure levels, {expected}: give it on the model's levels or remove it"
            : $"variable '{found.Name}' ({model}) has shape {shape} on pressure levels, but {model} is a single-level field, {expected}: give it without levels or remove it";
    }

    /// <summary>The index of <paramref name="time"/> in the dataset's times, or −1.</summary>
    public static int IndexOfTime(IGriddedDataset dataset, DateTime time)
    {
        for (var i = 0; i < dataset.Times.Count; i++)
        {
            if (dataset.Times[i] == time)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Linear in ln p between the nearest available levels above and below <paramref name="level"/>.</summary>
    private static void Interpolate(IReadOnlyList<double> available, int level, Func<double, float[]> field, Span<float> target)
    {
        var lnp = Math.Log(level);
        var below = available.Where(a => a > level).Min();
        var above = available.Where(a => a < level).Max();
        var w = (lnp - Math.Log(above)) / (Math.Log(below) - Math.Log(above));
        var upper = field(above);
        var lower = field(below);
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = (float)(((1.0 - w) * upper[i]) + (w * lower[i]));
        }
    }

    private static void CheckFinite(float[] values, string source, string variable, double? level, DateTime time)
    {
        var bad = Array.FindIndex(values, x => !float.IsFinite(x));
        if (bad >= 0)
        {
            var at = level is { } p ? string.Create(CultureInfo.InvariantCulture, $" at {p} hPa") : "";
            var count = values.Count(x => !float.IsFinite(x));
            throw new ArgumentException(
                $"'{source}' has {count} missing or non-finite values in {variable}{at} at {Iso(time)}: an initial condition needs every grid point. Fill the gaps in the data (e.g. cdo fillmiss) or choose another time.");
        }
    }

    private static string DescribeDataset(IGriddedDataset dataset) =>
        dataset.Variables.Count == 0 ? "no gridded variables" : string.Join("; ", dataset.Variables.Select(v => v.ToString()));

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private enum LevelPlan
    {
        Read,
        Interpolated,
        Missing,
    }
}
