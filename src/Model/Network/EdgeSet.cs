using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>
/// One edge set: sender and receiver node indices (int64 <c>[num_edges]</c>) into the named node sets, and edge features
/// <c>[num_edges, batch, features]</c>.
/// </summary>
public sealed record EdgeSet(string Name, string SenderSet, string ReceiverSet, Tensor Senders, Tensor Receivers, Tensor Features)
{
    public EdgeSet WithFeatures(Tensor features) => this with { Features = features };
}
