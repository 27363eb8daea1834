namespace GraphCast.Orleans.Grains.Placement;

/// <summary>
/// The cluster's board of active members per silo (key 0). Every silo reports its own count every few seconds and gets the
/// whole board back for its placement director. The board is soft state: after a loss it is complete again within one
/// report interval.
/// </summary>
[Alias("GraphCast.IComputeBoardGrain")]
public interface IComputeBoardGrain : IGrainWithIntegerKey
{
    /// <summary>Records <paramref name="load"/> (null from silos without compute) and returns every silo's latest report.</summary>
    [Alias("Report")]
    Task<IReadOnlyList<SiloLoad>> ReportAsync(SiloLoad? load);
}
