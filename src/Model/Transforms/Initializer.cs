using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>Creates the initial value of a parameter or state tensor; draws keys from <paramref name="random"/> if it needs randomness.</summary>
public delegate Tensor Initializer(long[] shape, ScalarType dtype, IRandomSource random);
