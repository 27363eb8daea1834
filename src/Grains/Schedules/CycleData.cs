namespace GraphCast.Orleans.Grains.Schedules;

/// <summary>The outcome of looking for a cycle's data: the prepared initial condition and where it came from, or why there is none yet.</summary>
/// <param name="InitialCondition">The spec's <c>prepared:sha256:…</c>; null when the data is not ready.</param>
/// <param name="Source">The file, blob or previous run it was read from (or that was looked for).</param>
/// <param name="Reason">Why there is no initial condition yet; null when there is one.</param>
public sealed record CycleData(string? InitialCondition, string Source, string? Reason)
{
    public bool IsReady => InitialCondition is not null;
}
