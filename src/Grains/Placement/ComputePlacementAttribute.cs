using Orleans.Placement;

namespace GraphCast.Orleans.Grains.Placement;

/// <summary>Marks a grain class for <see cref="ComputePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ComputePlacementAttribute : PlacementAttribute
{
    public ComputePlacementAttribute()
        : base(ComputePlacement.Instance)
    {
    }
}
