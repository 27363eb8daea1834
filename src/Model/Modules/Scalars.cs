using TorchSharp;

namespace GraphCast.Model.Modules;

/// <summary>
/// LibTorch scalars that live as long as the process, for the <c>alpha</c> of in-place additions.
/// </summary>
/// <remarks>
/// TorchSharp turns a C# number into a <see cref="Scalar"/> that owns a native <c>c10::Scalar</c> and frees it in its
/// finalizer. A temporary one (e.g. the default <c>alpha</c> of <c>Tensor.add_(other)</c>, or a literal <c>1</c>) is no
/// longer referenced once its handle has been passed to native code, so a garbage collection on another thread can free it
/// while LibTorch still reads it: seen as <c>toFloat at c10/core/Scalar.h:140: Expected false to be true</c> in a member
/// step while other models stepped in the same process. Passing these rooted scalars explicitly closes that race.
/// </remarks>
public static class Scalars
{
    /// <summary>The scalar 1, never freed.</summary>
    public static readonly Scalar One = 1.ToScalar();
}
