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

/// <summary>The Init/Apply pair of a transformed function with state.</summary>
public sealed class TransformedWithState<TIn, TOut>
{
    private readonly Func<TIn, TOut> _function;

    internal TransformedWithState(Func<TIn, TOut> function, Device device)
    {
        _function = function;
        Device = device;
    }

    /// <summary>Device on which Init creates parameters.</summary>
    public Device Device { get; }

    /// <summary>Runs the function once to create every parameter and state tensor. <paramref name="rng"/> feeds the initializers.</summary>
    public (Params Params, State State) Init(RngKey? rng, TIn inputs) => Init(rng, inputs, shapesOnly: false);

    /// <summary>
    /// The parameter and state tree (names, shapes, dtypes) without initialising values or drawing random numbers; runs the
    /// function once, so give it the smallest inputs that yield the same shapes. (LibTorch's meta device lacks kernels
    /// for ops the model uses, such as index_select and layer_norm, so shapes are learnt on real but small inputs.)
    /// </summary>
    public (Params Params, State State) InitShapes(TIn inputs) => Init(null, inputs, shapesOnly: true);

    private (Params Params, State State) Init(RngKey? rng, TIn inputs, bool shapesOnly)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var frame = TransformFrame.ForInit(rng, Device, shapesOnly);
        try
        {
            using (frame.Enter())
            {
                _function(inputs);
            }
        }
        catch
        {
            frame.DisposeCreated();
            throw;
        }

        // The Params/State constructors detach their tensors from the scope; everything else is released with it.
        return (new Params(frame.CreatedParameters), new State(frame.StateOut));
    }

    /// <summary>Runs the function with the given parameters and state; returns its outputs and the new state.</summary>
    public (TOut Output, State State) Apply(Params parameters, State state, RngKey? rng, TIn inputs)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(state);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var frame = TransformFrame.ForApply(parameters, state, rng, Device);
        TOut output;
        try
        {
            using (frame.Enter())
            {
                output = _function(inputs);
            }
        }
        catch
        {
            frame.DisposeCreated();
            throw;
        }

        var newState = new State(frame.StateOut);
        foreach (var tensor in TensorTree.Leaves(output))
        {
            tensor.MoveToOuterDisposeScope();
        }

        return (output, newState);
    }
}

/// <summary>The Init/Apply pair of a transformed function without state (Haiku's <c>transform</c>).</summary>
public sealed class Transformed<TIn, TOut>
{
    private readonly TransformedWithState<TIn, TOut> _inner;

    internal Transformed(TransformedWithState<TIn, TOut> inner) => _inner = inner;

    public Device Device => _inner.Device;

    /// <summary>Creates every parameter; a function that uses state is rejected (use <see cref="Transform.WithState{TIn,TOut}"/>).</summary>
    public Params Init(RngKey? rng, TIn inputs)
    {
        var (parameters, state) = _inner.Init(rng, inputs);
        using (state)
        {
            if (state.Count > 0)
            {
                parameters.Dispose();
                throw new InvalidOperationException(
                    $"The function uses state ({string.Join(", ", state.Keys)}); transform it with Transform.WithState instead of Transform.Stateless.");
            }
        }

        return parameters;
    }

    /// <summary>The parameter tree without initialised values (see <see cref="TransformedWithState{TIn, TOut}.InitShapes"/>).</summary>
    public Params InitShapes(TIn inputs)
    {
        var (parameters, state) = _inner.InitShapes(inputs);
        state.Dispose();
        return parameters;
    }

    /// <summary>Runs the function with <paramref name="parameters"/>; <paramref name="rng"/> may be null if it draws no random numbers.</summary>
    public TOut Apply(Params parameters, RngKey? rng, TIn inputs)
    {
        using var empty = State.Empty;
        var (output, state) = _inner.Apply(parameters, empty, rng, inputs);
        state.Dispose();
        return output;
    }
}
