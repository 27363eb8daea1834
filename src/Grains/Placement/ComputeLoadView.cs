namespace GraphCast.Orleans.Grains.Placement;

/// <summary>
/// This silo's view of the active members per silo: the board's latest reports plus the placements this silo made since
/// each report (a run starting 50 members places them within milliseconds, long before the next report).
/// </summary>
public sealed class ComputeLoadView
{
    private readonly Lock _lock = new();
    private Dictionary<SiloAddress, SiloLoad> _board = [];
    private readonly List<(SiloAddress Silo, DateTime Utc)> _placements = [];

    public void Update(IReadOnlyList<SiloLoad> board)
    {
        lock (_lock)
        {
            _board = board.ToDictionary(l => l.Silo);
            // Placements older than every report they could be missing from are counted by the reports now.
            var oldest = _board.Count == 0 ? DateTime.MinValue : _board.Values.Min(l => l.ReportedUtc);
            _placements.RemoveAll(p => p.Utc < oldest - TimeSpan.FromSeconds(1));
        }
    }

    public void Placed(SiloAddress silo)
    {
        lock (_lock)
        {
            _placements.Add((silo, DateTime.UtcNow));
        }
    }

    /// <summary>Estimated active members on <paramref name="silo"/>: its last report plus this silo's placements since.</summary>
    public int EstimatedActive(SiloAddress silo)
    {
        lock (_lock)
        {
            var reported = _board.TryGetValue(silo, out var load) ? load : null;
            var since = reported?.ReportedUtc ?? DateTime.MinValue;
            return (reported?.ActiveMembers ?? 0) + _placements.Count(p => p.Silo.Equals(silo) && p.Utc >= since);
        }
    }
}
