using GraphCast.Model.Configuration;

namespace GraphCast.Orleans.Grains.Engine;

/// <summary>One output variable of a forecast: name, whether it has pressure levels, units.</summary>
public sealed record ForecastVariable(string Name, bool HasLevels, string Units);

/// <summary>The shape of a run's forecast: members × lead times × [levels] × lat × lon, and the init time.</summary>
public sealed record ForecastLayout(
    int Members, int Steps, TimeSpan StepLength, IReadOnlyList<int> Levels, float[] Latitudes, float[] Longitudes,
    DateTime InitTime, IReadOnlyList<ForecastVariable> Variables)
{
    /// <summary>The layout of <paramref name="outputs"/> for a task on a grid.</summary>
    public static ForecastLayout Of(int members, int steps, TaskConfig task, float[] latitudes, float[] longitudes, DateTime initTime, IEnumerable<string> outputs) =>
        new(members, steps, task.TimeStep, task.PressureLevels, latitudes, longitudes, initTime,
            outputs.Select(v => new ForecastVariable(v, TaskConfig.HasLevels(v), GraphCast.Model.Configuration.Variables.UnitsOf(v))).ToArray());
}

/// <summary>
/// Where a run's forecast is written: one chunk per (member, step, variable), written create-only so a retried step
/// rewrites identical bytes and two writers never share a chunk.
/// </summary>
public interface IForecastStore
{
    /// <summary>Creates the store's metadata and coordinates (idempotent when identical; an error when they differ).</summary>
    Task CreateAsync(string runId, ForecastLayout layout, CancellationToken cancellationToken = default);

    /// <summary>Writes one member's outputs at one step (1-based).</summary>
    Task WriteStepAsync(string runId, int member, int step, IReadOnlyDictionary<string, float[]> variables, CancellationToken cancellationToken = default);

    /// <summary>Where the forecast of <paramref name="runId"/> is, for messages.</summary>
    string Location(string runId);
}
