namespace GraphCast.Orleans.Grains.Options;

/// <summary>How forecast schedules are ticked on this silo (section <c>Schedules</c>).</summary>
public sealed class ScheduleOptions
{
    public const string SectionName = "Schedules";

    /// <summary>
    /// The period of each schedule's durable reminder: the longest an idle schedule goes without reconciling. Orleans allows
    /// one minute at the least. A cycle due sooner than this is met by a one-shot timer at its due time, so this does not
    /// bound start latency.
    /// </summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a schedule reconciles while a cycle waits, starts or runs (its data is still polled at the schedule's own <c>poll</c>).</summary>
    public TimeSpan BusyTickInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A cycle first seen within this of its cycle time is on time and starts whatever the catch-up policy; one seen later
    /// fell due during downtime or a pause, and the catch-up policy decides.
    /// </summary>
    public TimeSpan OnTimeWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each silo lists the schedules in storage and pokes them (re-registers lost in-memory reminders; the first sweep runs at start).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}
