using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Model.Weights;
using GraphCast.Orleans.Grains.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// Loads each model once per silo (per model reference, device and dtype) and shares it read-only, reference-counted, with
/// every member on the silo: sixteen members of one run hold one copy of the parameters. Loading runs on a compute thread.
/// </summary>
public sealed partial class ModelRegistry : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ModelsOptions _models;
    private readonly ComputeOptions _compute;
    private readonly StepExecutor _executor;
    private readonly ILogger<ModelRegistry> _logger;
    private int _loads;

    public ModelRegistry(IOptions<ModelsOptions> models, IOptions<ComputeOptions> compute, StepExecutor executor, ILogger<ModelRegistry> logger)
    {
        _models = models.Value;
        _compute = compute.Value;
        _executor = executor;
        _logger = logger;
    }

    /// <summary>How many times a model was loaded (tests check sharing with it).</summary>
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>Models loaded now.</summary>
    public int Loaded
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The configuration a model reference names, without loading parameters (for validation and run metadata).</summary>
    public (ModelConfig Model, TaskConfig Task) Describe(string modelRef)
    {
        var source = Resolve(modelRef);
        if (source.Preset is { } preset)
        {
            return (preset.Model, preset.Task);
        }

        using var weights = GraphCastWeights.Load(source.Path!);
        return (weights.Model, weights.Task);
    }

    /// <summary>A lease on the loaded model; dispose it when done. The first lease loads, the last release unloads.</summary>
    public async Task<ModelLease> AcquireAsync(string modelRef, CancellationToken cancellationToken = default)
    {
        Entry entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(modelRef, out entry!))
            {
                var source = Resolve(modelRef);
                entry = new Entry(_executor.RunAsync(() => Load(modelRef, source), CancellationToken.None));
                _entries[modelRef] = entry;
            }

            entry.References++;
        }

        try
        {
            var loaded = await entry.Loading.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new ModelLease(this, modelRef, loaded.Model, loaded.Forcings);
        }
        catch
        {
            Release(modelRef);
            throw;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var e in _entries.Values.Where(e => e.Loading.IsCompletedSuccessfully))
            {
                e.Loading.Result.Model.Dispose();
            }

            _entries.Clear();
        }
    }

    internal void Release(string modelRef)
    {
        Entry? unload = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(modelRef, out var entry) && --entry.References == 0)
            {
                _entries.Remove(modelRef);
                unload = entry;
            }
        }

        if (unload is not null && unload.Loading.IsCompletedSuccessfully)
        {
            unload.Loading.Result.Model.Dispose();
            LogUnloaded(modelRef);
        }
    }

    private (GraphCastModel Model, ComputedForcings Forcings) Load(string modelRef, ModelSource source)
    {
        var options = new GraphCastModelOptions
        {
            Device = new torch.Device(_compute.Device),
            Bfloat16 = _compute.Bfloat16,
            GraphCacheDirectory = _models.GraphCacheDirectory,
            NormalizationStatsDirectory = _models.NormalizationStatsDirectory,
        };
        var model = source.Preset is { } preset ? GraphCastModel.FromPreset(preset, options) : GraphCastModel.FromWeights(source.Path!, options);
        Interlocked.Increment(ref _loads);
        LogLoaded(modelRef, model.Params.TotalElements, model.Hash[..12]);
        return (model, new ComputedForcings(model.Predictor.Layout, model.Latitudes, model.Longitudes, options.Device));
    }

    /// <summary>The preset or weights file a model reference names; an unknown one is an <see cref="ArgumentException"/> with the fix.</summary>
    internal ModelSource Resolve(string modelRef)
    {
        const string Prefix = "checkpoint:";
        if (!modelRef.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return new ModelSource(Presets.Get(modelRef), null);
        }

        var name = modelRef[Prefix.Length..];
        if (_models.WeightsDirectory is not { } dir)
        {
            throw new ArgumentException($"Model '{modelRef}' names a checkpoint, but this silo has no Models:WeightsDirectory configured.");
        }

        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
        {
            throw new ArgumentException($"Checkpoint name '{name}' must be a file name inside Models:WeightsDirectory (no '/', '\\' or leading '.').");
        }

        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Checkpoint '{name}' is not in {dir}. Copy the .npz there or use a preset ({string.Join(", ", Presets.All.Select(p => p.Name))}).");
        }

        return new ModelSource(null, path);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {ModelRef}: {Parameters} parameters, hash {Hash}")]
    private partial void LogLoaded(string modelRef, long parameters, string hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {ModelRef}: no member holds it")]
    private partial void LogUnloaded(string modelRef);

    internal sealed record ModelSource(ModelPreset? Preset, string? Path);

    private sealed class Entry(Task<(GraphCastModel Model, ComputedForcings Forcings)> loading)
    {
        public Task<(GraphCastModel Model, ComputedForcings Forcings)> Loading { get; } = loading;

        public int References { get; set; }
    }
}
