namespace GraphCast.Orleans.Grains.Schedules;

/// <summary>
/// The clock schedules decide by: a <see cref="TimeProvider"/> of their own, so that tests move a fake one without moving
/// the clock Orleans itself runs on (membership, timers, activation collection).
/// </summary>
public sealed class ScheduleClock(TimeProvider time)
{
    public TimeProvider Time => time;

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
}
