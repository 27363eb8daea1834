using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>A source of rng keys inside a transform (throws <see cref="MissingRngException"/> when the transform has no rng).</summary>
public interface IRandomSource
{
    RngKey NextKey();
}
