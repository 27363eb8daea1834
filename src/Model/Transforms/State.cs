using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>The mutable-by-replacement state of a transformed model (Haiku's <c>state</c>): an immutable ordered map.</summary>
public sealed class State : TensorMap<State>
{
    public State(IEnumerable<KeyValuePair<ParamPath, Tensor>> entries)
        : base(entries)
    {
    }

    /// <summary>An empty state map (GraphCast has no state).</summary>
    public static State Empty => new([]);

    protected override State Create(IEnumerable<KeyValuePair<ParamPath, Tensor>> entries) => new(entries);
}
