using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using GraphCast.Data.Regions;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Predictors;
using GraphCast.Model.Regions;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Forecasts;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// The computation of one forecast region in one member, free of Orleans: a cut-out (the parent's fields in the box,
/// copied) or a nest (<see cref="RegionalModel"/>) whose input frames are the member's initial frames and whose boundary
/// forcing is the member's committed fields, both interpolated onto the region's grid, linearly in time between the
/// parent's steps. The grain runs these on the silo's compute threads.
/// </summary>
public sealed class RegionRollout : IDisposable
{
    private readonly GraphCastModel _parent;
    private readonly RegionCutout? _cutout;
    private readonly ParentFieldInterpolator? _interpolator;
    private readonly ComputedForcings? _forcings;

    /// <summary>The region <paramref name="region"/> nested in <paramref name="parent"/> (a nest builds its model: graphs and params).</summary>
    public RegionRollout(RegionSpec region, GraphCastModel parent)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(parent);
        Region = region;
        _parent = parent;
        Grid = RegionGrid.Of(region);
        if (region.IsCutout)
        {
            _cutout = new RegionCutout(parent.Latitudes, parent.Longitudes, Grid);
            Ratio = 1;
            return;
        }

        Nest = RegionalModel.Create(region, parent.Config, parent.Task, new GraphCastModelOptions
        {
            Device = parent.Predictor.Device,
            Stats = parent.Predictor.Stats,
            GraphCacheDirectory = "",
            ChunkRows = parent.Predictor.ChunkRows,
        });
        Ratio = (int)(parent.Task.TimeStep.Ticks / region.Step.Ticks);
        _interpolator = new ParentFieldInterpolator(parent.Latitudes, parent.Longitudes, Grid);
        _forcings = new ComputedForcings(Nest.Predictor.Layout, Grid.Float32Latitudes(), Grid.Float32Longitudes(), parent.Predictor.Device);
    }

    public RegionSpec Region { get; }

    public RegionGrid Grid { get; }

    /// <summary>The nest's model; null for a cut-out.</summary>
    public RegionalModel? Nest { get; }

    /// <summary>Regional steps per parent step (1 for a cut-out).</summary>
    public int Ratio { get; }

    /// <summary>Identifies what the region computes (its checkpoints name it): the nest's hash, or the cut-out's definition.</summary>
    public string Hash => Nest?.Hash ?? "cutout:" + Region;

    /// <summary>
    /// The regions of <paramref name="spec"/> (each <c>REGION=MODEL</c>), checked against the parent model: every bad input
    /// of <see cref="RegionSpec"/>, two regions with one name, and a nest in a run whose outputs lack a variable it reads.
    /// </summary>
    public static IReadOnlyList<RegionSpec> Parse(ForecastSpec spec, ModelConfig model, TaskConfig task)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var regions = new List<RegionSpec>();
        foreach (var text in spec.Regions ?? [])
        {
            var split = text.IndexOf('=', StringComparison.Ordinal);
            var source = split < 0 ? RegionModelSource.FromSeed(0) : RegionModelSource.Parse(text[(split + 1)..]);
            var region = RegionSpec.Parse(split < 0 ? text : text[..split], model.Resolution, task.TimeStep, source);
            if (!region.IsCutout && spec.OutputVariables.Count > 0)
            {
                var lacking = task.TargetVariables.Where(v => !spec.OutputVariables.Contains(v)).ToArray();
                if (lacking.Length > 0)
                {
                    throw new ArgumentException($"Region '{region.Name}' is a nest: it reads every variable the parent predicts, but the run writes only {string.Join(", ", spec.OutputVariables)}. Leave the output variables out, or make the region a cut-out (--region-model {region.Name}=none).");
                }
            }

            regions.Add(region);
        }

        RegionSpec.CheckDistinct(regions);
        return regions;
    }

    /// <summary>The canonical <see cref="ForecastSpec.Regions"/> entry of a region: <c>NAME:…:BOUNDARY=MODEL</c>.</summary>
    public static string Entry(RegionSpec region) => $"{region} ={region.Model}".Replace(" =", "=", StringComparison.Ordinal);

    /// <summary>The region's forecast store: the run's members and outputs on the region's grid, at its lead times, described in its attributes.</summary>
    public ForecastStoreLayout Layout(ForecastSpec spec, IReadOnlyList<string> outputs, ImmutableSortedDictionary<string, string> runAttributes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stepHours = Region.Step.TotalHours;
        var latitudes = _cutout?.Latitudes ?? Grid.Float32Latitudes();
        var longitudes = _cutout?.Longitudes ?? Grid.Float32Longitudes();
        return new ForecastStoreLayout(
            spec.Members,
            Enumerable.Range(1, spec.Steps * Ratio).Select(k => (long)Math.Round(k * stepHours)).ToArray(),
            _parent.Task.PressureLevels,
            latitudes,
            longitudes,
            spec.InitTime,
            outputs.Select(v => new ForecastVariable(v, TaskConfig.HasLevels(v), Variables.UnitsOf(v), v.Replace('_', ' '))).ToArray())
        {
            Compressor = GraphCast.Formats.Zarr.ZarrCompressor.Parse(spec.Compression ?? "none"),
            Attributes = runAttributes
                .SetItem("title", $"GraphCast.Orleans forecast region '{Region.Name}' of run {spec.RunId}")
                .SetItem("parent_run", spec.RunId)
                .SetItem("region", Region.Name)
                .SetItem("region_definition", Region.ToString())
                .SetItem("region_model", Region.IsCutout ? "none (cut-out of the parent's fields)" : Region.Model.ToString())
                .SetItem("region_boundary_cells", Region.Boundary.ToString(CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>A cut-out of one parent step's outputs (each <c>[levels, lat, lon]</c> on the parent's grid).</summary>
    public Dictionary<string, float[]> Cut(IReadOnlyDictionary<string, float[]> parentStep)
    {
        var cutout = _cutout ?? throw new InvalidOperationException($"Region '{Region.Name}' is a nest, not a cut-out.");
        return parentStep.ToDictionary(kv => kv.Key, kv => cutout.Extract(kv.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// The nest's initial carry from the member's (on the parent's grid): frames at the regional step's spacing, interpolated
    /// in space and, between the parent's frames, in time; forcing channels recomputed on the regional grid at each frame's
    /// time; static fields interpolated.
    /// </summary>
    public RolloutCarry InitialCarry(RolloutCarry parentInitial)
    {
        var nest = RequireNest();
        var layout = nest.Predictor.Layout;
        var frames = nest.Task.InputFrames;
        using var scope = torch.NewDisposeScope();
        var parentOnRegion = parentInitial.Frames.Select(f => _interpolator!.Interpolate(f)).ToArray();
        var result = new Tensor[frames];
        for (var i = 0; i < frames; i++)
        {
            // Frame i is (frames − 1 − i) regional steps before the init time; parent frame j is (F − 1 − j) parent steps before.
            var hoursBefore = (frames - 1 - i) * Region.Step.TotalHours;
            var position = (parentOnRegion.Length - 1) - (hoursBefore / _parent.Task.TimeStep.TotalHours);
            var lower = Math.Clamp((int)Math.Floor(position), 0, parentOnRegion.Length - 1);
            var upper = Math.Min(lower + 1, parentOnRegion.Length - 1);
            var frame = ParentFieldInterpolator.InTime(parentOnRegion[lower], parentOnRegion[upper], Math.Clamp(position - lower, 0, 1));
            var time = parentInitial.Time - TimeSpan.FromHours(hoursBefore);
            var forcing = _forcings!.At(time);
            var channels = frame.clone();
            foreach (var block in layout.Forcings.Blocks)
            {
                if (layout.Dynamic.Contains(block.Variable))
                {
                    var target = layout.Dynamic[block.Variable];
                    channels.narrow(2, target.Offset, target.Count).copy_(forcing.narrow(2, block.Offset, block.Count).expand(-1, channels.shape[1], -1));
                }
            }

            result[i] = channels.MoveToOuterDisposeScope();
        }

        var statics = _interpolator!.Interpolate(parentInitial.Static).MoveToOuterDisposeScope();
        return new RolloutCarry(result, statics, parentInitial.Time, 0);
    }

    /// <summary>The parent's target fields at its init time (<c>[num_parent_nodes, batch, target_channels]</c>): the newest input frame's channels of each target, zero for a target that is not an input.</summary>
    public Tensor ParentTargetsAtInit(RolloutCarry parentInitial)
    {
        var layout = _parent.Predictor.Layout;
        var newest = parentInitial.Frames[^1];
        using var scope = torch.NewDisposeScope();
        var parts = layout.Targets.Blocks.Select(b => layout.Dynamic.Contains(b.Variable)
            ? newest.narrow(2, layout.Dynamic[b.Variable].Offset, b.Count)
            : torch.zeros([newest.shape[0], newest.shape[1], b.Count], device: newest.device)).ToArray();
        return torch.cat(parts, 2).MoveToOuterDisposeScope();
    }

    /// <summary>One parent step's outputs (every target, <c>[levels, lat, lon]</c> on the parent's grid) as <c>[num_parent_nodes, 1, target_channels]</c>.</summary>
    public Tensor ParentFrame(IReadOnlyDictionary<string, float[]> parentStep)
    {
        var fields = new GridFields(_parent.Latitudes, _parent.Longitudes);
        foreach (var (name, values) in parentStep)
        {
            fields.Set(name, values);
        }

        var layout = _parent.Predictor.Layout.Targets;
        return torch.tensor(fields.ToFrame(layout), [fields.Nodes, 1, layout.Count]).to(_parent.Predictor.Device);
    }

    /// <summary>The parent's fields on the regional grid (<c>[num_region_nodes, batch, channels]</c>).</summary>
    public Tensor OnRegion(Tensor parentFrame) => _interpolator!.Interpolate(parentFrame);

    /// <summary>
    /// Regional step <paramref name="k"/> (1..<see cref="Ratio"/>) of the parent step from <paramref name="start"/> to
    /// <paramref name="end"/> (both on the regional grid): the next carry and the step's outputs.
    /// </summary>
    public (RolloutCarry Next, MemberStepOutput Output) Step(RolloutCarry carry, Tensor start, Tensor end, int k, IReadOnlyList<string> outputs)
    {
        var nest = RequireNest();
        var watch = Stopwatch.StartNew();
        RolloutStep step;
        RolloutCarry next;
        using (var scope = torch.NewDisposeScope())
        {
            var from = ParentFieldInterpolator.InTime(start, end, (k - 1) / (double)Ratio);
            var to = ParentFieldInterpolator.InTime(start, end, k / (double)Ratio);
            (step, next) = nest.Advance(carry, _forcings!, from, to);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        using (step.Predictions)
        {
            try
            {
                MemberRollout.RequireFinite(step.Predictions, nest.Predictor.Layout.Targets, step.Step);
            }
            catch
            {
                next.Dispose();
                throw;
            }

            var variables = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var name in outputs)
            {
                var block = nest.Predictor.Layout.Targets[name];
                using var slice = step.Predictions.select(1, 0).narrow(1, block.Offset, block.Levels).t().contiguous().cpu();
                variables[name] = slice.data<float>().ToArray();
            }

            return (next, new MemberStepOutput(step.Step, step.ValidTime, variables, seconds));
        }
    }

    public void Dispose() => Nest?.Dispose();

    private RegionalModel RequireNest() => Nest ?? throw new InvalidOperationException($"Region '{Region.Name}' is a cut-out: it has no model.");
}
