using GraphCast.Model;
using GraphCast.Model.Predictors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>A member's hold on a shared model: read-only parameters, predictor and forcings. Dispose to release.</summary>
public sealed class ModelLease : IDisposable
{
    private readonly ModelRegistry _registry;
    private readonly string _modelRef;
    private int _released;

    internal ModelLease(ModelRegistry registry, string modelRef, GraphCastModel model, ComputedForcings forcings)
    {
        _registry = registry;
        _modelRef = modelRef;
        Model = model;
        Forcings = forcings;
    }

    public GraphCastModel Model { get; }

    public ComputedForcings Forcings { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _registry.Release(_modelRef);
        }
    }
}
