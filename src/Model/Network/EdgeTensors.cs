using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>One edge set's indices and features.</summary>
public sealed record EdgeTensors(Tensor Senders, Tensor Receivers, Tensor Features)
{
    public long Count => Senders.shape[0];
}
