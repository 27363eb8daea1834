using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>One step of a rollout: its number (1 = first prediction), valid time, and predicted targets <c>[num_grid_nodes, batch, target_channels]</c>.</summary>
public sealed record RolloutStep(int Step, DateTime ValidTime, Tensor Predictions);
