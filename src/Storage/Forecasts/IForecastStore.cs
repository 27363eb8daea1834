using GraphCast.Model.Configuration;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// Where a run's forecast is written: one chunk per (member, step, variable), written create-only so a retried step
/// rewrites identical bytes and two writers never share a chunk.
/// </summary>
public interface IForecastStore
{
    /// <summary>Creates the store's metadata and coordinates (idempotent when identical; an error when they differ).</summary>
    Task CreateAsync(string runId, ForecastStoreLayout layout, CancellationToken cancellationToken = default);

    /// <summary>Writes one member's outputs at one step (1-based), each float32 <c>[levels, lat, lon]</c>.</summary>
    Task WriteStepAsync(string runId, int member, int step, IReadOnlyDictionary<string, float[]> variables, CancellationToken cancellationToken = default);

    /// <summary>Where the forecast of <paramref name="runId"/> is, for messages.</summary>
    string Location(string runId);

    /// <summary>The layout of a run's forecast: <paramref name="outputs"/> of a task on a grid, lead times 1..steps.</summary>
    static ForecastStoreLayout LayoutOf(int members, int steps, TaskConfig task, float[] latitudes, float[] longitudes, DateTime initTime, IEnumerable<string> outputs) =>
        new(
            members,
            Enumerable.Range(1, steps).Select(s => (long)Math.Round(s * task.TimeStep.TotalHours)).ToArray(),
            task.PressureLevels,
            latitudes,
            longitudes,
            initTime,
            outputs.Select(v => new ForecastVariable(v, TaskConfig.HasLevels(v), Variables.UnitsOf(v), v.Replace('_', ' '))).ToArray());
}
