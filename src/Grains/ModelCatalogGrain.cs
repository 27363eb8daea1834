using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Catalog;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using TorchSharp;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// The silo's model catalog (<see cref="IModelCatalogGrain"/>): model references resolve through the silo's model registry
/// (presets, and checkpoints in <c>Models:WeightsDirectory</c>); descriptions and demos run on the silo's compute threads,
/// with its graph cache and device. A stateless worker: it keeps nothing between calls.
/// </summary>
[StatelessWorker]
public sealed class ModelCatalogGrain(ModelRegistry registry, StepExecutor executor, IOptions<ModelsOptions> models, IOptions<ComputeOptions> compute)
    : Grain, IModelCatalogGrain
{
    public Task<ModelDescription> DescribeAsync(string model, CancellationToken cancellationToken = default)
    {
        var source = registry.Resolve(model);
        return executor.RunAsync(() => ModelDescriptions.Describe(source.Preset, source.Path, models.Value.GraphCacheDirectory), cancellationToken);
    }

    public Task<RegionDescription> DescribeRegionAsync(string model, string region, string regionModel, CancellationToken cancellationToken = default)
    {
        var (config, task) = registry.Describe(model);
        var spec = RegionSpec.Parse(region, config.Resolution, task.TimeStep, RegionModelSource.Parse(regionModel));
        if (spec.IsCutout)
        {
            throw new ArgumentException($"Region '{spec.Name}' is a cut-out (model none): it has no model to describe; it is the parent's fields on {spec.LatitudeCount} × {spec.LongitudeCount} points.");
        }

        var options = new GraphCastModelOptions { Device = new torch.Device(compute.Value.Device), GraphCacheDirectory = "" };
        return executor.RunAsync(() => ModelDescriptions.DescribeRegion(model, spec, config, task, options), cancellationToken);
    }

    public Task<ModelInputs> GetInputsAsync(string model, CancellationToken cancellationToken = default)
    {
        var (config, task) = registry.Describe(model);
        return Task.FromResult(ModelDescriptions.Inputs(model, config, task));
    }

    public Task<ModelDemo> DemoAsync(string preset, long seed, int steps, CancellationToken cancellationToken = default)
    {
        var found = Presets.Get(preset);
        var options = new GraphCastModelOptions
        {
            Device = new torch.Device(compute.Value.Device),
            GraphCacheDirectory = models.Value.GraphCacheDirectory,
        };
        return executor.RunAsync(() => ModelDemonstration.Run(found, seed, steps, options), cancellationToken);
    }
}
