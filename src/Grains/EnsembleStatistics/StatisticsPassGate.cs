namespace GraphCast.Orleans.Grains.EnsembleStatistics;

/// <summary>
/// The silo-wide bound on concurrent statistics passes (<c>Engine:StatisticsConcurrency</c>, one silo singleton): when the
/// statistics grains of every lead time of a run finish together, their passes run one (or N) at a time, so the silo holds
/// at most N passes' accumulators however many lead times the run has.
/// </summary>
/// <remarks>
/// A grain waiting here keeps its turn (grains are not reentrant), so announcements to it queue until its pass is done;
/// other grains are not held up by it.
/// </remarks>
public sealed class StatisticsPassGate : IDisposable
{
    private readonly SemaphoreSlim _slots;

    /// <param name="concurrency">Passes that may run at once on this silo (at least 1).</param>
    public StatisticsPassGate(int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        Concurrency = concurrency;
        _slots = new SemaphoreSlim(concurrency, concurrency);
    }

    /// <summary>Passes that may run at once.</summary>
    public int Concurrency { get; }

    /// <summary>Runs <paramref name="pass"/> once a slot is free, and frees the slot when it ends (however it ends).</summary>
    public async Task RunAsync(Func<Task> pass, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pass);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await pass().ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
