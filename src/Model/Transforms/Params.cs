using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>The parameters of a transformed model: an immutable ordered map path → tensor.</summary>
public sealed class Params : TensorMap<Params>
{
    public Params(IEnumerable<KeyValuePair<ParamPath, Tensor>> entries)
        : base(entries)
    {
    }

    /// <summary>An empty parameter map.</summary>
    public static Params Empty => new([]);

    protected override Params Create(IEnumerable<KeyValuePair<ParamPath, Tensor>> entries) => new(entries);
}
