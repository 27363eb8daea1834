using GraphCast.Orleans.Grains.Storage;

namespace GraphCast.Orleans.Grains.Statistics;

/// <summary>
/// The ensemble statistics of one lead time of a run, built from the members' durable forecast chunks: each member is read
/// from the forecast store and folded in once (a member offered again is ignored), so the same state can be rebuilt at any
/// time from the store alone.
/// </summary>
/// <remarks>
/// A member counts at a step once all of its output chunks of that step exist: chunks are written create-only before the
/// member reports the step, so they are exactly what the member computed (a recomputation after a resume writes identical
/// bytes), and a member that died between two chunk writes is not counted until its resumed run completes the step.
/// </remarks>
public sealed class StepStatistics
{
    private readonly ZarrForecastReader _forecast;
    private readonly SortedSet<int> _members = [];
    private readonly Dictionary<string, EnsembleMoments> _moments = new(StringComparer.Ordinal);

    /// <param name="forecast">The run's forecast store.</param>
    /// <param name="step">The lead time, 1-based as members count steps.</param>
    public StepStatistics(ZarrForecastReader forecast, int step)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        if (step < 1 || step > forecast.Layout.LeadTimesHours.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The forecast has steps 1 to {forecast.Layout.LeadTimesHours.Count}.");
        }

        _forecast = forecast;
        Step = step;
        foreach (var variable in forecast.Layout.Variables)
        {
            _moments[variable.Name] = new EnsembleMoments(forecast.Layout.ChunkLength(variable));
        }
    }

    /// <summary>The lead time (1-based).</summary>
    public int Step { get; }

    /// <summary>The members included, ascending.</summary>
    public IReadOnlyCollection<int> Members => _members;

    /// <summary>Folds member <paramref name="member"/> in if it is new and its step is complete in the store; true if it was added.</summary>
    public async Task<bool> AddMemberAsync(int member, CancellationToken cancellationToken = default)
    {
        var layout = _forecast.Layout;
        if (member < 0 || member >= layout.Members)
        {
            throw new ArgumentOutOfRangeException(nameof(member), member, $"The forecast has members 0 to {layout.Members - 1}.");
        }

        if (_members.Contains(member))
        {
            return false;
        }

        foreach (var variable in layout.Variables)
        {
            if (!await _forecast.ChunkExistsAsync(variable.Name, member, Step - 1, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        // Read every variable before adding any, so a failed read leaves the statistics as they were.
        var chunks = new List<(EnsembleMoments Moments, float[] Values)>();
        foreach (var variable in layout.Variables)
        {
            chunks.Add((_moments[variable.Name], await _forecast.ReadChunkAsync(variable.Name, member, Step - 1, cancellationToken).ConfigureAwait(false)));
        }

        foreach (var (moments, values) in chunks)
        {
            moments.Add(values);
        }

        _members.Add(member);
        return true;
    }

    /// <summary>Folds in every member whose step is complete in the store and not yet included; returns how many were added.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var added = 0;
        for (var member = 0; member < _forecast.Layout.Members; member++)
        {
            if (await AddMemberAsync(member, cancellationToken).ConfigureAwait(false))
            {
                added++;
            }
        }

        return added;
    }

    /// <summary>Each variable's mean and spread (float32, C order [level,] lat, lon).</summary>
    public IReadOnlyDictionary<string, (float[] Mean, float[] Spread)> Results() =>
        _moments.ToDictionary(m => m.Key, m => (m.Value.Mean(), m.Value.Spread()), StringComparer.Ordinal);

    /// <summary>Writes the statistics and member count of this step to <paramref name="store"/>.</summary>
    public Task WriteAsync(ZarrStatisticsStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteStepAsync(Step - 1, _members.Count, Results(), cancellationToken);
    }
}
