using Orleans.Placement;

namespace GraphCast.Orleans.Grains.Placement;

/// <summary>
/// Placement of ensemble members: only on silos that advertise compute (silo metadata <see cref="ComputeSiloMetadata"/>),
/// on the one with the fewest active members per device. <see cref="ComputePlacementDirector"/> implements it.
/// </summary>
[Serializable]
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
[Alias("GraphCast.ComputePlacement")]
public sealed class ComputePlacement : PlacementStrategy
{
    public static ComputePlacement Instance { get; } = new();
}
