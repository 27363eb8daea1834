using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

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
