using System.Collections;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>A type that holds tensors a transform must keep alive when it returns one (outputs of Apply).</summary>
public interface ITensorContainer
{
    IEnumerable<Tensor> Tensors { get; }
}
