using GraphCast.Data.Datasets;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Orleans.Storage.Forecasts;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>
/// A previous cycle's run read as one dataset for a warm start: its prepared input frames (valid at its init time and
/// before) followed by its forecast's lead times, so that a cycle one time step after the previous one finds both of its
/// input frames (the previous init time and the first lead time), and any later cycle finds them in the forecast.
/// </summary>
/// <remarks>
/// Both parts are on the model's grid. The forecast holds the model's targets; an input the forecast lacks at a lead time
/// (a static field such as the land–sea mask) is taken from the newest prepared frame, and only if it is static.
/// Reads block on the blob store (see <see cref="ZarrForecastDataset"/>): use it off a grain's turn.
/// </remarks>
public sealed class WarmStartDataset : IGriddedDataset
{
    private readonly ZarrForecastDataset _forecast;
    private readonly IReadOnlyList<GridFields> _frames;
    private readonly HashSet<string> _statics;

    /// <param name="forecast">The previous run's forecast store.</param>
    /// <param name="frames">The previous run's prepared input frames, oldest first (empty when it started from the analytic state).</param>
    /// <param name="initTime">The previous run's init time (the newest prepared frame's valid time).</param>
    /// <param name="task">The model's task (its time step and static inputs).</param>
    public WarmStartDataset(ZarrForecastDataset forecast, IReadOnlyList<GridFields> frames, DateTime initTime, TaskConfig task)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(task);
        _forecast = forecast;
        _frames = frames;
        _statics = task.StaticVariables.ToHashSet(StringComparer.Ordinal);
        Times = [.. frames.Select((_, i) => initTime - (task.TimeStep * (frames.Count - 1 - i))), .. forecast.Times];
        double[] levels = [.. task.PressureLevels.Select(l => (double)l)];
        Variables = frames.Count == 0
            ? forecast.Variables
            : frames[^1].Names.Order(StringComparer.Ordinal)
                .Select(v => forecast.Variables.FirstOrDefault(f => f.Name == v) ?? new DatasetVariable(v, "", TaskConfig.HasLevels(v) ? levels : []))
                .ToArray();
    }

    public string Source => _forecast.Source;

    public IReadOnlyList<double> Latitudes => _forecast.Latitudes;

    public IReadOnlyList<double> Longitudes => _forecast.Longitudes;

    public IReadOnlyList<DateTime> Times { get; }

    /// <summary>One: a warm start reads the control (member 0) of the previous forecast.</summary>
    public int Members => 1;

    public IReadOnlyList<DatasetVariable> Variables { get; }

    public float[] ReadField(string variable, int time, int level = 0, int member = 0)
    {
        if (member != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(member), member, "A warm start reads member 0 (the control) only.");
        }

        if (time < _frames.Count)
        {
            return Slice(_frames[time], variable, level);
        }

        if (_forecast.Variables.Any(v => v.Name == variable))
        {
            return _forecast.ReadField(variable, time - _frames.Count, level, 0);
        }

        if (_frames.Count > 0 && _statics.Contains(variable) && _frames[^1].Contains(variable))
        {
            return Slice(_frames[^1], variable, level);
        }

        throw new KeyNotFoundException($"The previous forecast '{Source}' has no '{variable}', and it is not a static input its initial condition holds.");
    }

    public void Dispose() => _forecast.Dispose();

    private static float[] Slice(GridFields fields, string variable, int level)
    {
        var data = fields[variable];
        var nodes = fields.Nodes;
        if (level < 0 || (level + 1) * nodes > data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"'{variable}' has {data.Length / nodes} level(s).");
        }

        return data.AsSpan(level * nodes, nodes).ToArray();
    }
}
