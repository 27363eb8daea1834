namespace GraphCast.Orleans.Grains.Schedules;

/// <summary>What one reconciliation found: whether the schedule exists, whether a cycle is under way, and when the next cycle falls due.</summary>
/// <param name="Exists">False once the schedule has been removed (its reminder should go too).</param>
/// <param name="Busy">A cycle waits for data, starts, runs, or is queued behind <c>max-active</c>: tick often.</param>
/// <param name="NextDueUtc">The next cycle time after now; null while paused.</param>
public sealed record ReconcileOutcome(bool Exists, bool Busy, DateTime? NextDueUtc)
{
    public static readonly ReconcileOutcome Gone = new(false, false, null);
}
