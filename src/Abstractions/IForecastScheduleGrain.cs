using Orleans.Concurrency;

namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// A forecast schedule (key: schedule name): operational cycles from a cron expression and an optional data trigger, ticked
/// by a durable reminder. Every tick reconciles from storage and the clock, so a lost, late or doubled tick changes nothing.
/// </summary>
[Alias("GraphCast.IForecastScheduleGrain")]
public interface IForecastScheduleGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the schedule (create-only: an existing schedule of this name is refused unless identical) after checking its run
    /// template as <c>graphcast forecast</c> would (same messages), and registers its reminder. Cycles due before now are not run.
    /// </summary>
    /// <exception cref="ArgumentException">A bad definition or template; nothing was stored.</exception>
    [Alias("Add")]
    Task<ScheduleView> AddAsync(ScheduleDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>The schedule, its next due cycle and its <paramref name="recent"/> most recent cycles; null when there is no such schedule.</summary>
    [Alias("Show")]
    [AlwaysInterleave]
    Task<ScheduleView?> ShowAsync(int recent = 10, CancellationToken cancellationToken = default);

    /// <summary>Every cycle record, newest first (at most <paramref name="limit"/>).</summary>
    [Alias("History")]
    [AlwaysInterleave]
    Task<IReadOnlyList<CycleRecord>> HistoryAsync(int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>No cycle falls due until <see cref="ResumeAsync"/>; cycles already started carry on.</summary>
    [Alias("Pause")]
    Task<ScheduleView> PauseAsync(CancellationToken cancellationToken = default);

    /// <summary>Cycles fall due again; those that fell due while paused are handled by the catch-up policy.</summary>
    [Alias("Resume")]
    Task<ScheduleView> ResumeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts cycle <paramref name="cycleTime"/> (a time the cron expression gives), or the latest due cycle when null, now,
    /// ahead of the <c>max-active</c> queue (it still waits for its data). A Missed, Expired or Skipped cycle is re-armed, a
    /// Failed one's run resumed; a Running or Completed one is left as it is.
    /// </summary>
    /// <exception cref="ArgumentException">The time is not a cycle of the schedule, or is in the future.</exception>
    [Alias("Trigger")]
    Task<CycleRecord> TriggerAsync(DateTime? cycleTime = null, CancellationToken cancellationToken = default);

    /// <summary>Queues every cycle from <paramref name="fromUtc"/> to <paramref name="toUtc"/> (both included, in the past), respecting <c>max-active</c>.</summary>
    /// <exception cref="ArgumentException">An empty, reversed, future or too long range.</exception>
    [Alias("Backfill")]
    Task<BackfillRange> BackfillAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken = default);

    /// <summary>Retention never deletes the run of cycle <paramref name="cycleTime"/> while it is pinned.</summary>
    [Alias("Pin")]
    Task<ScheduleView> PinAsync(DateTime cycleTime, bool pinned = true, CancellationToken cancellationToken = default);

    /// <summary>Deletes the schedule and its cycle records and unregisters its reminder; its finished runs too unless <paramref name="keepRuns"/>.</summary>
    [Alias("Remove")]
    Task<ScheduleRemoval> RemoveAsync(bool keepRuns, CancellationToken cancellationToken = default);

    /// <summary>Reconciles now from storage and the clock (what the reminder, timers and each silo's sweep call; idempotent). False: no such schedule.</summary>
    [Alias("Tick")]
    Task<bool> TickAsync(CancellationToken cancellationToken = default);
}
