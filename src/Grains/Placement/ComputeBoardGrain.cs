namespace GraphCast.Orleans.Grains.Placement;

/// <summary>Holds the latest <see cref="SiloLoad"/> of each silo; reports older than a minute are dropped.</summary>
public sealed class ComputeBoardGrain : Grain, IComputeBoardGrain
{
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(1);
    private readonly Dictionary<SiloAddress, SiloLoad> _loads = [];

    public Task<IReadOnlyList<SiloLoad>> ReportAsync(SiloLoad? load)
    {
        if (load is not null)
        {
            _loads[load.Silo] = load;
        }

        var cutoff = DateTime.UtcNow - Stale;
        foreach (var old in _loads.Values.Where(l => l.ReportedUtc < cutoff).Select(l => l.Silo).ToList())
        {
            _loads.Remove(old);
        }

        return Task.FromResult<IReadOnlyList<SiloLoad>>(_loads.Values.ToArray());
    }
}
