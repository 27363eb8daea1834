namespace GraphCast.Orleans.Grains.Placement;

/// <summary>
/// This silo's view of the active members per silo: the board's latest reports plus the placements this silo made that
/// those reports do not show yet (a run starting 50 members places them within milliseconds, long before the next report,
/// and a member placed just before a report may still be activating when that report is taken).
/// </summary>
public sealed class ComputeLoadView
{
    /// <summary>How long a placement that no report shows is still counted (an activation that failed, or a member that ended before any report saw it).</summary>
    private static readonly TimeSpan Pending = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private Dictionary<SiloAddress, (int Active, HashSet<GrainId> Members)> _board = [];
    private readonly List<(SiloAddress Silo, GrainId Member, DateTime Utc)> _placements = [];

    public void Update(IReadOnlyList<SiloLoad> board)
    {
        lock (_lock)
        {
            _board = board.ToDictionary(l => l.Silo, l => (l.ActiveMembers, l.Members.ToHashSet()));
            // A placement is counted by its silo's report once the member's loop shows in it; one that never shows is dropped
            // after a while.
            _placements.RemoveAll(p =>
                (_board.TryGetValue(p.Silo, out var load) && load.Members.Contains(p.Member)) || p.Utc < DateTime.UtcNow - Pending);
        }
    }

    public void Placed(SiloAddress silo, GrainId member)
    {
        lock (_lock)
        {
            _placements.Add((silo, member, DateTime.UtcNow));
        }
    }

    /// <summary>Estimated active members on <paramref name="silo"/>: its last report plus this silo's placements that report does not show.</summary>
    public int EstimatedActive(SiloAddress silo)
    {
        lock (_lock)
        {
            var known = _board.TryGetValue(silo, out var reported);
            return (known ? reported.Active : 0) +
                _placements.Count(p => p.Silo.Equals(silo) && !(known && reported.Members.Contains(p.Member)));
        }
    }
}
