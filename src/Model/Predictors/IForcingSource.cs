using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>Forcings (TOA solar radiation, progress features) at a valid time, in physical units: <c>[num_grid_nodes, 1, forcing_channels]</c>.</summary>
public interface IForcingSource
{
    Tensor At(DateTime validTimeUtc);
}
