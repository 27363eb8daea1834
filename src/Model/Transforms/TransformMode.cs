using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>Whether a frame creates parameters (Init) or reads them (Apply).</summary>
public enum TransformMode
{
    Init,
    Apply,
}
