using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Modules;

/// <summary>
/// Haiku's <c>hk.nets.MLP</c>: linear layers <c>linear_0 … linear_n</c> created in the constructor (so their paths are
/// <c>{name}/~/linear_i</c>), an activation between layers and none after the last (unless <c>activateFinal</c>).
/// </summary>
public sealed class Mlp : Module
{
    private readonly Linear[] _layers;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly bool _activateFinal;

    public Mlp(IReadOnlyList<long> outputSizes, Func<Tensor, Tensor>? activation = null, bool activateFinal = false, string? name = null)
        : base(name ?? "mlp")
    {
        if (outputSizes.Count == 0)
        {
            throw new ArgumentException("An MLP needs at least one layer size.", nameof(outputSizes));
        }

        _activation = activation ?? (t => nn.functional.relu(t));
        _activateFinal = activateFinal;
        using (ConstructorScope())
        {
            _layers = outputSizes.Select((size, i) => new Linear(size, name: $"linear_{i}")).ToArray();
        }
    }

    /// <summary>The first layer, for callers that apply it to a concatenation piece by piece.</summary>
    public Linear FirstLayer => _layers[0];

    /// <summary>The layers <c>linear_0 … linear_n</c>, for callers that run them with fused or in-place kernels.</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>Whether the activation follows the last layer too.</summary>
    public bool ActivateFinal => _activateFinal;

    /// <summary>[..., in] → [..., outputSizes[^1]].</summary>
    public Tensor Call(Tensor x) => CallAfterFirstLayer(_layers[0].Call(x));

    /// <summary>
    /// Continues the MLP from the pre-activation output of <see cref="FirstLayer"/> (computed by the caller).
    /// </summary>
    public Tensor CallAfterFirstLayer(Tensor firstLayerOutput)
    {
        var x = firstLayerOutput;
        for (var i = 0; i < _layers.Length; i++)
        {
            if (i > 0)
            {
                x = _layers[i].Call(x);
            }

            if (i < _layers.Length - 1 || _activateFinal)
            {
                x = _activation(x);
            }
        }

        return x;
    }
}
