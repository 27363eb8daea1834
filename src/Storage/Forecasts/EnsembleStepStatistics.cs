using GraphCast.Formats.Zarr;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// The ensemble statistics of one lead time of a run, computed from the members' durable forecast chunks in a pass that
/// streams over the output variables: for each variable, every included member's chunk is read from the forecast store in
/// ascending member order and folded into float64 accumulators sized for that variable alone, whose mean and spread are
/// written before the next variable is read; the member count is written last.
/// </summary>
/// <remarks>
/// <para>
/// Nothing is kept between passes: a pass needs only the forecast store and the list of members, so the statistics can be
/// rebuilt at any time from the store alone, and the same members always give the same bytes (fixed member order).
/// </para>
/// <para>
/// Memory of a pass, for the largest variable's chunk of L values (levels × lat × lon): 16·L bytes of accumulators (two
/// doubles per value) plus 4·L for the member chunk being folded in, or for the float32 statistic being written — about
/// 20·L bytes, whatever the ensemble size. At 0.25° with 37 levels, L = 37 × 721 × 1440 = 38,414,880: about 0.77 GB,
/// against 3.77 GB to hold all 227 channels' accumulators at once.
/// </para>
/// <para>
/// A member counts at a step once all of its output chunks of that step exist: chunks are written create-only before the
/// member reports the step, so they are exactly what the member computed (a recomputation after a resume writes identical
/// bytes), and a member that died between two chunk writes is not counted until its resumed run completes the step.
/// </para>
/// </remarks>
public sealed class EnsembleStepStatistics
{
    private readonly ZarrForecastReader _forecast;

    /// <param name="forecast">The run's forecast store.</param>
    /// <param name="step">The lead time, 1-based as members count steps.</param>
    public EnsembleStepStatistics(ZarrForecastReader forecast, int step)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        if (step < 1 || step > forecast.Layout.LeadTimesHours.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The forecast has steps 1 to {forecast.Layout.LeadTimesHours.Count}.");
        }

        _forecast = forecast;
        Step = step;
    }

    /// <summary>The lead time (1-based).</summary>
    public int Step { get; }

    /// <summary>The forecast's layout: its members and variables.</summary>
    public ForecastStoreLayout Layout => _forecast.Layout;

    /// <summary>Whether every output chunk of member <paramref name="member"/> at this step is in the store.</summary>
    public async Task<bool> IsCompleteAsync(int member, CancellationToken cancellationToken = default)
    {
        CheckMember(member);
        foreach (var variable in Layout.Variables)
        {
            if (!await _forecast.ChunkExistsAsync(variable.Name, member, Step - 1, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The members whose step is complete in the store, ascending.</summary>
    public async Task<IReadOnlyList<int>> CompleteMembersAsync(CancellationToken cancellationToken = default)
    {
        var complete = new List<int>();
        for (var member = 0; member < Layout.Members; member++)
        {
            if (await IsCompleteAsync(member, cancellationToken).ConfigureAwait(false))
            {
                complete.Add(member);
            }
        }

        return complete;
    }

    /// <summary>
    /// Mean and spread (float32, C order [level,] lat, lon) of one variable over <paramref name="members"/>, each of which
    /// must be complete at this step; only that variable is read.
    /// </summary>
    public async Task<(float[] Mean, float[] Spread)> ComputeAsync(string variable, IReadOnlyCollection<int> members, CancellationToken cancellationToken = default)
    {
        var moments = await FoldAsync(Layout.Variable(variable), Ordered(members), cancellationToken).ConfigureAwait(false);
        return (moments.Mean(), moments.Spread());
    }

    /// <summary>
    /// The pass: computes the statistics of this step over <paramref name="members"/> (each complete at this step) one
    /// variable at a time, replacing each variable's mean and spread chunks in <paramref name="store"/> as soon as they are
    /// computed, then the member count.
    /// </summary>
    /// <remarks>
    /// No members gives NaN statistics and a count of 0 (a lead time no member reached). A pass that fails part-way leaves
    /// the previous member count, so readers and the next pass see the step as not yet up to date.
    /// </remarks>
    public async Task WriteAsync(EnsembleStatisticsStore store, IReadOnlyCollection<int> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ordered = Ordered(members);
        foreach (var variable in Layout.Variables)
        {
            // [level,] lat, lon accumulators of this variable only, dropped before the next variable is read.
            var moments = await FoldAsync(variable, ordered, cancellationToken).ConfigureAwait(false);
            await store.WriteChunkAsync(Step - 1, variable.Name, EnsembleStatistic.Mean, Encode(moments, EnsembleStatistic.Mean), cancellationToken).ConfigureAwait(false);
            await store.WriteChunkAsync(Step - 1, variable.Name, EnsembleStatistic.Spread, Encode(moments, EnsembleStatistic.Spread), cancellationToken).ConfigureAwait(false);
        }

        await store.WriteMemberCountAsync(Step - 1, ordered.Length, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EnsembleMoments> FoldAsync(ForecastVariable variable, int[] members, CancellationToken cancellationToken)
    {
        var moments = new EnsembleMoments(Layout.ChunkLength(variable));
        foreach (var member in members)
        {
            // The chunk's bytes are viewed as floats where they lie: one member chunk in memory at a time.
            var bytes = await _forecast.ReadChunkBytesAsync(variable.Name, member, Step - 1, cancellationToken).ConfigureAwait(false);
            moments.Add(ZarrFormat.Float32ValuesInPlace(bytes));
        }

        return moments;
    }

    /// <summary>One statistic as little-endian float32 chunk bytes, computed straight into the buffer that is written.</summary>
    private static byte[] Encode(EnsembleMoments moments, EnsembleStatistic statistic)
    {
        var bytes = new byte[moments.Length * sizeof(float)];
        var values = ZarrFormat.Float32ValuesInPlace(bytes);
        if (statistic == EnsembleStatistic.Mean)
        {
            moments.MeanInto(values);
        }
        else
        {
            moments.SpreadInto(values);
        }

        ZarrFormat.ToLittleEndianInPlace(values);
        return bytes;
    }

    /// <summary>The members ascending (the order they are folded in), each in range and given once.</summary>
    private int[] Ordered(IReadOnlyCollection<int> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var ordered = members.Order().ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            CheckMember(ordered[i]);
            if (i > 0 && ordered[i] == ordered[i - 1])
            {
                throw new ArgumentException($"Member {ordered[i]} is listed twice; each member is counted once.", nameof(members));
            }
        }

        return ordered;
    }

    private void CheckMember(int member)
    {
        if (member < 0 || member >= Layout.Members)
        {
            throw new ArgumentOutOfRangeException(nameof(member), member, $"The forecast has members 0 to {Layout.Members - 1}.");
        }
    }
}
