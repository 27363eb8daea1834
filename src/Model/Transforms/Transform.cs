using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>
/// Turns a function that builds and runs modules into a pair of pure functions, as Haiku's
/// <c>hk.transform_with_state</c> / <c>hk.transform</c>: <c>Init(rng, inputs) → (Params, State)</c> runs the function once
/// creating every parameter by name; <c>Apply(Params, State, rng?, inputs) → (Outputs, State)</c> runs it reading them.
/// Apply runs without autograd inside a dispose scope: every intermediate tensor is released when it returns, and only
/// the output's tensors (see <see cref="TensorTree"/>) and the new state survive.
/// </summary>
public static class Transform
{
    /// <summary>Transforms <paramref name="function"/> into Init/Apply with state (Haiku's <c>transform_with_state</c>).</summary>
    public static TransformedWithState<TIn, TOut> WithState<TIn, TOut>(Func<TIn, TOut> function, Device? device = null) =>
        new(function, device ?? CPU);

    /// <summary>Transforms <paramref name="function"/> into Init/Apply without state (Haiku's <c>transform</c>).</summary>
    public static Transformed<TIn, TOut> Stateless<TIn, TOut>(Func<TIn, TOut> function, Device? device = null) =>
        new(new TransformedWithState<TIn, TOut>(function, device ?? CPU));

    /// <summary>
    /// Runs <paramref name="body"/> with every floating-point parameter read as <paramref name="dtype"/> (the master copy stays
    /// as stored), like GraphCast's bfloat16 custom getter. Only valid inside a transform.
    /// </summary>
    public static T WithParameterDtype<T>(ScalarType dtype, Func<T> body)
    {
        var frame = TransformFrame.Current ?? throw new InvalidOperationException(
            "Transform.WithParameterDtype can only be used inside a transformed function (Init or Apply).");
        using (frame.PushParameterCast(dtype))
        {
            return body();
        }
    }

    /// <summary>True while a transform's Init or Apply runs on this thread.</summary>
    public static bool IsActive => TransformFrame.Current is not null;

    /// <summary>
    /// The parameters of the Apply running on this thread (null outside Apply, and in Init): the identity under which a
    /// module may keep results that depend only on the parameters (see <see cref="Network.StructuralTermsCache"/>).
    /// </summary>
    internal static Params? CurrentParameters => TransformFrame.Current?.Parameters;
}
