using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GraphCast.Model.Configuration;
using GraphCast.Model.Network;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Regions;

/// <summary>
/// A regional GraphCast nest, built through the same transform as the global model: the parent's architecture (latent
/// size, message-passing steps, MLP depth) on the region's grid and regional multi-mesh (<see cref="RegionalGraphs"/>),
/// stepping the region's step. Its inputs are the global model's (two input frames, forcings, static fields, all on the
/// regional grid) plus the parent's predicted fields at the step's start and end interpolated onto the regional grid
/// (boundary forcing of the whole domain); after each step the outer <see cref="RegionSpec.Boundary"/> rows and columns
/// are overwritten with the parent's fields at the step's end.
/// </summary>
public sealed class RegionalModel : IDisposable
{
    /// <summary>The parent's fields at a step's start and end.</summary>
    public const int ParentFrames = 2;

    private readonly Tensor _boundaryMask;

    private RegionalModel(RegionSpec spec, RegionalGraphs graphs, ModelConfig config, TaskConfig task, GraphCastPredictor predictor, Params parameters, TimeSpan graphTime, string source)
    {
        Spec = spec;
        Graphs = graphs;
        Config = config;
        Task = task;
        Predictor = predictor;
        Params = parameters;
        GraphBuildTime = graphTime;
        Source = source;
        var grid = graphs.Grid;
        var mask = new bool[grid.NodeCount];
        var nLon = grid.Longitudes.Length;
        for (var i = 0; i < grid.Latitudes.Length; i++)
        {
            for (var j = 0; j < nLon; j++)
            {
                mask[(i * nLon) + j] = grid.IsBoundary(i, j);
            }
        }

        BoundaryNodeCount = mask.Count(b => b);
        using (torch.NewDisposeScope())
        {
            _boundaryMask = torch.tensor(mask).reshape(grid.NodeCount, 1, 1).to(predictor.Device).DetachFromDisposeScope();
        }

        Hash = ComputeHash(spec, config, task, parameters);
    }

    public RegionSpec Spec { get; }

    public RegionGrid Grid => Graphs.Grid;

    public RegionalGraphs Graphs { get; }

    /// <summary>The architecture: the parent's, with the regional mesh size and "any grid" resolution.</summary>
    public ModelConfig Config { get; }

    /// <summary>The parent's task with the region's time step (input window: two regional steps).</summary>
    public TaskConfig Task { get; }

    public GraphCastPredictor Predictor { get; }

    public Params Params { get; }

    public TimeSpan GraphBuildTime { get; }

    /// <summary>Where the parameters came from (<c>seed:N</c> or the file).</summary>
    public string Source { get; }

    /// <summary>Grid nodes overwritten by the parent's fields after each step.</summary>
    public int BoundaryNodeCount { get; }

    /// <summary>SHA-256 (hex) of the region, configuration and every parameter: identifies the nest in checkpoints.</summary>
    public string Hash { get; }

    /// <summary>
    /// The nest of <paramref name="spec"/> in a parent of <paramref name="parentModel"/> and <paramref name="parentTask"/>:
    /// random parameters from the region's seed, or parameters read from its file (safetensors or a reference-layout npz,
    /// by Haiku name), checked by path and shape against what the nest expects.
    /// </summary>
    /// <exception cref="ArgumentException">The region is a cut-out (no model).</exception>
    /// <exception cref="ParameterShapeException">A tensor of the file has another shape (names its path and both shapes).</exception>
    /// <exception cref="InvalidDataException">The file lacks a parameter the nest needs (names it).</exception>
    public static RegionalModel Create(RegionSpec spec, ModelConfig parentModel, TaskConfig parentTask, GraphCastModelOptions? options = null, int? meshSize = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parentModel);
        ArgumentNullException.ThrowIfNull(parentTask);
        if (spec.IsCutout)
        {
            throw new ArgumentException($"Region '{spec.Name}' is a cut-out (model none): it has no model to build.");
        }

        options ??= new GraphCastModelOptions();
        var mesh = meshSize ?? RegionalGraphs.MeshSizeFor(spec.Resolution);
        var config = parentModel with { Resolution = 0, MeshSize = mesh };
        var task = parentTask with
        {
            TimeStep = spec.Step,
            InputDuration = string.Create(CultureInfo.InvariantCulture, $"{(long)(spec.Step.TotalHours * parentTask.InputFrames)}h"),
        };

        var watch = Stopwatch.StartNew();
        var graphs = RegionalGraphs.Build(RegionGrid.Of(spec), mesh, config.RadiusQueryFractionEdgeLength, config.Mesh2GridEdgeNormalizationFactor);
        var graphTime = watch.Elapsed;
        var tensors = GraphTensors.From(graphs.Graphs, options.Device);
        GraphCastPredictor? predictor = null;
        Params? parameters = null;
        try
        {
            predictor = new GraphCastPredictor(config, task, tensors, options.NormalizationFor(task), options.Bfloat16, options.Device, options.ChunkRows, options.CacheStructuralTerms, ParentFrames);
            parameters = spec.Model.Kind == RegionModelKind.Seed
                ? predictor.Init(RngKey.FromSeed(spec.Model.Seed))
                : LoadChecked(predictor, spec.Model.File!, options.Device);
            return new RegionalModel(spec, graphs, config, task, predictor, parameters, graphTime, spec.Model.ToString());
        }
        catch
        {
            parameters?.Dispose();
            if (predictor is null)
            {
                tensors.Dispose();
            }
            else
            {
                predictor.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// One regional step from <paramref name="carry"/>: the parent's fields at the step's start and end
    /// (<c>[num_region_nodes, batch|1, target_channels]</c>, physical units, on the regional grid) condition the whole
    /// domain, and the boundary zone of the prediction is replaced by <paramref name="parentEnd"/>.
    /// </summary>
    public (RolloutStep Step, RolloutCarry Next) Advance(RolloutCarry carry, IForcingSource forcings, Tensor parentStart, Tensor parentEnd)
    {
        ArgumentNullException.ThrowIfNull(parentStart);
        ArgumentNullException.ThrowIfNull(parentEnd);
        using var scope = torch.NewDisposeScope();
        var conditioning = torch.cat([parentStart, parentEnd], 2);
        var result = Predictor.Advance(Params, carry, forcings, conditioning, predictions => OverwriteBoundary(predictions, parentEnd));
        return result;
    }

    /// <summary>The predictions with the boundary zone's nodes replaced by <paramref name="parentEnd"/>'s (values copied exactly).</summary>
    public Tensor OverwriteBoundary(Tensor predictions, Tensor parentEnd)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(parentEnd);
        return torch.where(_boundaryMask, parentEnd.expand_as(predictions), predictions);
    }

    /// <summary>Parameters of the nest, in numbers.</summary>
    public long ParameterCount => Params.Sum(p => p.Value.numel());

    public void Dispose()
    {
        _boundaryMask.Dispose();
        Predictor.Dispose();
        Params.Dispose();
    }

    private static Params LoadChecked(GraphCastPredictor predictor, string path, Device device)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Region weights file '{path}' does not exist: give an existing .safetensors or .npz file, or seed:N.");
        }

        var loaded = path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase)
            ? ParamsFiles.LoadParamsNpz(path, device)
            : ParamsFiles.LoadParamsSafetensors(path, device);
        try
        {
            using var expected = predictor.InitShapes();
            var missing = expected.Keys.Where(k => !loaded.Contains(k)).ToArray();
            if (missing.Length > 0)
            {
                throw new InvalidDataException($"Region weights '{path}' lack the parameter '{missing[0]}' the nest needs: write them from a nest of the same region and parent model.");
            }

            foreach (var (key, tensor) in expected)
            {
                if (!loaded[key].shape.SequenceEqual(tensor.shape))
                {
                    throw new ParameterShapeException(key, tensor.shape, loaded[key].shape);
                }
            }

            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    private static string ComputeHash(RegionSpec spec, ModelConfig model, TaskConfig task, Params parameters)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(spec.ToString());
        Add(model.ToString());
        Add(string.Join(",", task.TargetVariables) + "|" + string.Join(",", task.PressureLevels) + "|" + task.TimeStep.ToString());
        foreach (var (path, tensor) in parameters)
        {
            Add($"{path}:{tensor.dtype}:{string.Join("x", tensor.shape)}");
            using var cpu = tensor.cpu().contiguous();
            sha.AppendData(cpu.bytes);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
