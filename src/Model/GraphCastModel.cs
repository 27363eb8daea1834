using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GraphCast.Model.Configuration;
using GraphCast.Model.Geometry;
using GraphCast.Model.Network;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model;

/// <summary>
/// A ready-to-run GraphCast: configuration (from a preset or a checkpoint, which wins), its graphs (built once and cached),
/// the wrapped predictor and its parameters, and a content hash that identifies the model in checkpoints and runs.
/// </summary>
public sealed class GraphCastModel : IDisposable
{
    private GraphCastModel(string name, ModelConfig model, TaskConfig task, GraphCastGraphs graphs, TimeSpan graphTime, bool graphCached, GraphCastPredictor predictor, Params parameters, string description)
    {
        Name = name;
        Config = model;
        Task = task;
        Graphs = graphs;
        GraphBuildTime = graphTime;
        GraphFromCache = graphCached;
        Predictor = predictor;
        Params = parameters;
        Description = description;
        Hash = ComputeHash(model, task, parameters);
    }

    public string Name { get; }

    public ModelConfig Config { get; }

    public TaskConfig Task { get; }

    public string Description { get; }

    public GraphCastGraphs Graphs { get; }

    /// <summary>Time to build (or read from the cache) the graphs.</summary>
    public TimeSpan GraphBuildTime { get; }

    public bool GraphFromCache { get; }

    public GraphCastPredictor Predictor { get; }

    public Params Params { get; }

    /// <summary>SHA-256 (hex) of the configuration and every parameter's name, dtype, shape and bytes.</summary>
    public string Hash { get; }

    public float[] Latitudes => Graphs.Spec.GridLatitudes;

    public float[] Longitudes => Graphs.Spec.GridLongitudes;

    /// <summary>A preset with random parameters from <see cref="GraphCastModelOptions.Seed"/>.</summary>
    public static GraphCastModel FromPreset(ModelPreset preset, GraphCastModelOptions? options = null)
    {
        options ??= new GraphCastModelOptions();
        var (graphs, time, cached) = LoadGraphs(preset.Model, options);
        var predictor = new GraphCastPredictor(preset.Model, preset.Task, GraphTensors.From(graphs, options.Device), options.NormalizationFor(preset.Task), options.Bfloat16, options.Device, options.ChunkRows, options.CacheStructuralTerms);
        var parameters = InitParameters(preset.Model, preset.Task, RngKey.FromSeed(options.Seed), options.Device);
        return new GraphCastModel(preset.Name, preset.Model, preset.Task, graphs, time, cached, predictor, parameters, preset.Description + $" (random weights, seed {options.Seed})");
    }

    /// <summary>A reference-layout checkpoint: its own configuration, its parameters checked by name and shape.</summary>
    public static GraphCastModel FromWeights(string path, GraphCastModelOptions? options = null)
    {
        options ??= new GraphCastModelOptions();
        var weights = GraphCastWeights.Load(path, options.Device);
        try
        {
            using (var expected = ExpectedParameters(weights.Model, weights.Task))
            {
                weights.Validate(expected, path);
            }

            var (graphs, time, cached) = LoadGraphs(weights.Model, options);
            var predictor = new GraphCastPredictor(weights.Model, weights.Task, GraphTensors.From(graphs, options.Device), options.NormalizationFor(weights.Task), options.Bfloat16, options.Device, options.ChunkRows, options.CacheStructuralTerms);
            return new GraphCastModel(Path.GetFileNameWithoutExtension(path), weights.Model, weights.Task, graphs, time, cached, predictor, weights.Params, weights.Description);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The parameter tree a configuration implies, shapes only (values not initialised, no random numbers): what a
    /// checkpoint is checked against before it is used. Parameter shapes do not depend on the grid, so a minimal graph
    /// (6 grid points, the 12-vertex mesh) serves and the forward pass costs next to nothing.
    /// </summary>
    public static Params ExpectedParameters(ModelConfig model, TaskConfig task)
    {
        using var tensors = GraphTensors.From(MinimalGraphs(model));
        using var predictor = new GraphCastPredictor(model with { Resolution = 0 }, task, tensors, NormalizationStats.Identity(task));
        return predictor.InitShapes();
    }

    /// <summary>
    /// Random parameters for a configuration (the reference's init). Shapes and the order in which initializers draw keys
    /// do not depend on the grid, so Init runs on the minimal graph: the same parameters as on the real grid, without a
    /// full-resolution forward pass.
    /// </summary>
    public static Params InitParameters(ModelConfig model, TaskConfig task, RngKey rng, Device? device = null)
    {
        using var tensors = GraphTensors.From(MinimalGraphs(model), device);
        using var predictor = new GraphCastPredictor(model with { Resolution = 0 }, task, tensors, NormalizationStats.Identity(task), device: device);
        return predictor.Init(rng);
    }

    private static GraphCastGraphs MinimalGraphs(ModelConfig model) =>
        GraphCastGraphs.Build(new GraphCastGraphSpec([-45f, 45f], [0f, 120f, 240f], 0, model.RadiusQueryFractionEdgeLength * 2, model.Mesh2GridEdgeNormalizationFactor));

    /// <summary>The graphs of <paramref name="model"/>'s regular grid, from the cache when present (built and stored otherwise).</summary>
    public static (GraphCastGraphs Graphs, TimeSpan Time, bool FromCache) LoadGraphs(ModelConfig model, GraphCastModelOptions options)
    {
        if (model.Resolution <= 0)
        {
            throw new ArgumentException("model_config.resolution is 0 (any grid): give the model a regular grid resolution, e.g. 1.0, to build its graphs.");
        }

        var spec = GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        var watch = Stopwatch.StartNew();
        var directory = options.GraphCacheDirectory ?? GraphCastModelOptions.DefaultGraphCacheDirectory;
        if (directory.Length == 0)
        {
            return (GraphCastGraphs.Build(spec), watch.Elapsed, false);
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, CacheFileName(spec));
        var existed = File.Exists(path);
        var graphs = GraphCache.LoadOrBuild(path, spec);
        return (graphs, watch.Elapsed, existed);
    }

    /// <summary>The cache file of a spec: readable parameters and a hash of the exact inputs.</summary>
    public static string CacheFileName(GraphCastGraphSpec spec)
    {
        using var sha = SHA256.Create();
        var text = spec.ToString() + "|" + string.Join(",", spec.GridLatitudes.Select(v => BitConverter.SingleToInt32Bits(v))) + "|" + string.Join(",", spec.GridLongitudes.Select(v => BitConverter.SingleToInt32Bits(v)));
        var hash = Convert.ToHexStringLower(sha.ComputeHash(Encoding.UTF8.GetBytes(text)))[..16];
        return $"graphs-{spec.GridLatitudes.Length}x{spec.GridLongitudes.Length}-m{spec.MeshSize}-{hash}.bin";
    }

    public void Dispose()
    {
        Predictor.Dispose();
        Params.Dispose();
    }

    private static string ComputeHash(ModelConfig model, TaskConfig task, Params parameters)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(model.ToString());
        Add(string.Join(",", task.InputVariables) + "|" + string.Join(",", task.TargetVariables) + "|" + string.Join(",", task.ForcingVariables) + "|" + string.Join(",", task.PressureLevels) + "|" + task.InputDuration);
        foreach (var (path, tensor) in parameters)
        {
            Add($"{path}:{tensor.dtype}:{string.Join("x", tensor.shape)}");
            using var cpu = tensor.cpu().contiguous();
            sha.AppendData(cpu.bytes);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
