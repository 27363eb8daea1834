using System.Diagnostics;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Predictors;
using GraphCast.Orleans.Abstractions;
using TorchSharp;

namespace GraphCast.Orleans.Grains.Catalog;

/// <summary>
/// The random-weight demo: Init a preset through the transform, Apply it autoregressively from the analytic
/// Jablonowski–Williamson baroclinic-wave state, and summarise a few fields per step (global mean, min and max).
/// Synchronous tensor work: run it on a compute thread.
/// </summary>
public static class ModelDemonstration
{
    /// <summary>The fields summarised: three surface fields and temperature at the task's first pressure level.</summary>
    private static readonly string[] Shown = [Variables.Temperature2m, Variables.MeanSeaLevelPressure, Variables.UWind10m, Variables.Temperature];

    /// <summary>The valid time of the demo's initial state.</summary>
    public static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    public static ModelDemo Run(ModelPreset preset, long seed, int steps, GraphCastModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(preset);
        if (steps < 1)
        {
            throw new ArgumentException($"A demo runs at least one step, not {steps}.", nameof(steps));
        }

        var watch = Stopwatch.StartNew();
        using var model = GraphCastModel.FromPreset(preset, options with { Seed = seed });
        var initSeconds = watch.Elapsed.TotalSeconds;
        var layout = model.Predictor.Layout;
        var results = new List<ModelDemoStep>();
        using (var carry = InitialCarry.Analytic(layout, model.Latitudes, model.Longitudes, InitTime))
        {
            var forcings = new ComputedForcings(layout, model.Latitudes, model.Longitudes, options.Device);
            results.Add(new ModelDemoStep { Step = 0, ValidTime = InitTime, Seconds = 0, Fields = Summaries(carry.Frames[^1], layout.Dynamic, preset.Task) });
            watch.Restart();
            foreach (var step in model.Predictor.Rollout(model.Params, carry, steps, forcings))
            {
                var seconds = watch.Elapsed.TotalSeconds;
                using (step.Predictions)
                {
                    results.Add(new ModelDemoStep { Step = step.Step, ValidTime = step.ValidTime, Seconds = seconds, Fields = Summaries(step.Predictions, layout.Targets, preset.Task) });
                }

                watch.Restart();
            }
        }

        return new ModelDemo
        {
            Name = preset.Name,
            Description = preset.Description,
            Seed = seed,
            Parameters = model.Params.TotalElements,
            Tensors = model.Params.Count,
            InitSeconds = initSeconds,
            GraphBuildSeconds = model.GraphBuildTime.TotalSeconds,
            GraphFromCache = model.GraphFromCache,
            Hash = model.Hash,
            GridNodes = checked((int)model.Predictor.GridNodeCount),
            InitTime = InitTime,
            Steps = results,
        };
    }

    /// <summary>The shown fields of one frame [batch, nodes, channels]: the first channel of each variable's block.</summary>
    private static List<FieldSummary> Summaries(torch.Tensor frame, ChannelLayout layout, TaskConfig task)
    {
        var fields = new List<FieldSummary>();
        foreach (var v in Shown)
        {
            var block = layout[v];
            using var values = frame.narrow(2, block.Offset, 1);
            using var mean = values.mean();
            using var min = values.min();
            using var max = values.max();
            fields.Add(new FieldSummary
            {
                Variable = v,
                Level = TaskConfig.HasLevels(v) ? task.PressureLevels[0] : null,
                Mean = mean.item<float>(),
                Min = min.item<float>(),
                Max = max.item<float>(),
            });
        }

        return fields;
    }
}
