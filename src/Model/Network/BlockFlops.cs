namespace GraphCast.Model.Network;

/// <summary>Floating-point operations of one network block: as the reference's algebra writes it, and as this port runs it.</summary>
/// <param name="Block">The block, named as <see cref="ForwardProfile"/> names it (<c>mesh_gnn/step_3</c>).</param>
/// <param name="Reference">2·M·K·N summed over the reference's matmuls (every MLP applied to its concatenated input).</param>
/// <param name="Executed">The same for the matmuls this port runs (edge MLPs' first layers applied piece by piece).</param>
public sealed record BlockFlops(string Block, long Reference, long Executed);
