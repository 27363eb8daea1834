using GraphCast.Data.Regridding;
using GraphCast.Model.Configuration;
using GraphCast.Model.Regions;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Data.Regions;

/// <summary>
/// The parent's fields on a region's grid: in space with <see cref="LatLonRegridder"/> (the identity, bit for bit, where a
/// regional point is a parent point), in time linearly between the parent's committed steps.
/// </summary>
public sealed class ParentFieldInterpolator
{
    private readonly LatLonRegridder _regridder;
    private readonly int _parentNodes;

    /// <param name="parentLatitudes">[num_lat] the parent's latitudes, degrees.</param>
    /// <param name="parentLongitudes">[num_lon] the parent's longitudes, degrees (global).</param>
    /// <param name="region">The region's grid.</param>
    public ParentFieldInterpolator(float[] parentLatitudes, float[] parentLongitudes, RegionGrid region)
    {
        ArgumentNullException.ThrowIfNull(parentLatitudes);
        ArgumentNullException.ThrowIfNull(parentLongitudes);
        ArgumentNullException.ThrowIfNull(region);
        Region = region;
        _parentNodes = parentLatitudes.Length * parentLongitudes.Length;

        // Region coordinates as the float32 the region stores, widened: shared points then equal parent points exactly.
        _regridder = new LatLonRegridder(
            parentLatitudes.Select(v => (double)v).ToArray(),
            parentLongitudes.Select(v => (double)v).ToArray(),
            region.Float32Latitudes().Select(v => (double)v).ToArray(),
            region.Float32Longitudes().Select(v => (double)v).ToArray());
    }

    public RegionGrid Region { get; }

    /// <summary>A parent frame <c>[num_parent_nodes, batch, channels]</c> → <c>[num_region_nodes, batch, channels]</c>, float32 on the same device.</summary>
    public Tensor Interpolate(Tensor parentFrame)
    {
        ArgumentNullException.ThrowIfNull(parentFrame);
        if (parentFrame.dim() != 3 || parentFrame.shape[0] != _parentNodes)
        {
            throw new ArgumentException($"A parent frame must be [num_parent_nodes={_parentNodes}, batch, channels]; got [{string.Join(", ", parentFrame.shape)}].");
        }

        var batch = parentFrame.shape[1];
        var channels = parentFrame.shape[2];
        float[] source;
        using (var planes = parentFrame.detach().to(ScalarType.Float32).cpu().permute(1, 2, 0).contiguous())
        {
            source = planes.data<float>().ToArray();   // [batch, channels, num_parent_nodes]
        }

        var regionNodes = Region.NodeCount;
        var result = new float[batch * channels * regionNodes];
        Parallel.For(0, (int)(batch * channels), plane =>
        {
            var values = _regridder.Regrid(source.AsSpan(plane * _parentNodes, _parentNodes));
            values.CopyTo(result, plane * regionNodes);
        });

        using var scope = torch.NewDisposeScope();
        return torch.tensor(result, [batch, channels, regionNodes]).permute(2, 0, 1).contiguous().to(parentFrame.device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The parent's fields at <paramref name="fraction"/> of the way from <paramref name="start"/> to <paramref name="end"/>
    /// (0: start exactly, 1: end exactly): (1 − f)·start + f·end.
    /// </summary>
    public static Tensor InTime(Tensor start, Tensor end, double fraction)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The time fraction must be within [0, 1].");
        }

        if (fraction == 0)
        {
            return start.clone();
        }

        if (fraction == 1)
        {
            return end.clone();
        }

        using var scope = torch.NewDisposeScope();
        return start.mul(1 - fraction).add_(end.mul(fraction)).MoveToOuterDisposeScope();
    }
}
