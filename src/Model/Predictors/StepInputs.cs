using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// What one GraphCast step reads, in physical units, grid-major: the input frames of the time-dependent inputs (oldest
/// first, each <c>[num_grid_nodes, batch, dynamic_channels]</c>), the static fields <c>[num_grid_nodes, batch|1,
/// static_channels]</c> and the forcings at the target time <c>[num_grid_nodes, batch|1, forcing_channels]</c>; for a regional
/// nest also the parent's fields at the step's start and end <c>[num_grid_nodes, batch|1, 2 · target_channels]</c>.
/// </summary>
public sealed record StepInputs(IReadOnlyList<Tensor> Frames, Tensor Static, Tensor Forcings, Tensor? Conditioning = null) : ITensorContainer
{
    public long Batch => Frames[^1].shape[1];

    public IEnumerable<Tensor> Tensors => Conditioning is null ? [.. Frames, Static, Forcings] : [.. Frames, Static, Forcings, Conditioning];
}
