using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

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
