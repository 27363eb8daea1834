using System.Diagnostics;
using System.Globalization;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Model.Regions;
using GraphCast.Orleans.Grains.Rollout;
using TorchSharp;

namespace GraphCast.Bench;

/// <summary>
/// <c>regions [--preset NAME] --region REGION [--repeats N]</c>: one regional nest step against one global step of its
/// parent, in one process on the same threads (both with random weights, the global model's step then the nest's, each
/// after a warm-up step, median of N): the nest's cost per parent step is its step time × its steps per parent step.
/// </summary>
internal static class RegionBenchmark
{
    public static int Run(BenchArguments arguments, TextWriter output)
    {
        var preset = Presets.Get(arguments.Preset ?? "demo");
        var regionText = arguments.Region ?? throw new ArgumentException("regions needs --region NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]], e.g. europe:35:70:-10:30:0.5:3h.");
        var region = RegionSpec.Parse(regionText, preset.Model.Resolution, preset.Task.TimeStep);
        var init = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);
        output.WriteLine($"Machine: {MachineInfo.Current()}; torch threads {torch.get_num_threads()}");

        using var parent = GraphCastModel.FromPreset(preset, new GraphCastModelOptions { GraphCacheDirectory = arguments.GraphCache });
        var forcings = new ComputedForcings(parent.Predictor.Layout, parent.Latitudes, parent.Longitudes);
        using var carry = InitialCarry.Analytic(parent.Predictor.Layout, parent.Latitudes, parent.Longitudes, init);
        var global = Time(arguments.Repeats, () =>
        {
            var (step, next) = parent.Predictor.Advance(parent.Params, carry, forcings);
            step.Predictions.Dispose();
            next.Dispose();
        });

        var build = Stopwatch.StartNew();
        using var rollout = new RegionRollout(region, parent);
        var buildSeconds = build.Elapsed.TotalSeconds;
        var nest = rollout.Nest!;
        using var regional = rollout.InitialCarry(carry);
        using var targets = rollout.ParentTargetsAtInit(carry);
        using var onRegion = rollout.OnRegion(targets);
        var outputs = nest.Task.TargetVariables.Order(StringComparer.Ordinal).ToArray();
        var nested = Time(arguments.Repeats, () =>
        {
            var (next, _) = rollout.Step(regional, onRegion, onRegion, 1, outputs);
            next.Dispose();
        });

        var interpolate = Time(arguments.Repeats, () => rollout.OnRegion(targets).Dispose());
        var g = nest.Graphs.Graphs;
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"Parent {preset.Name}: {parent.Graphs.GridNodeCount:N0} grid nodes, {parent.Graphs.MeshNodeCount:N0} mesh nodes, step {preset.Task.TimeStep.TotalHours:R} h."));
        output.WriteLine(string.Create(c, $"Region {region}: {g.GridNodeCount:N0} grid nodes, mesh M{nest.Config.MeshSize} restricted to {g.MeshNodeCount:N0} nodes and {g.MeshEdges.Count:N0} edges, {rollout.Ratio} steps per parent step; built in {buildSeconds:F2} s."));
        output.WriteLine("| what | median s | ratio to the global step |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine(string.Create(c, $"| global step ({preset.Name}) | {global:F3} | 1.00 |"));
        output.WriteLine(string.Create(c, $"| regional step | {nested:F3} | {nested / global:F2} |"));
        output.WriteLine(string.Create(c, $"| parent fields onto the regional grid (once per parent step) | {interpolate:F3} | {interpolate / global:F2} |"));
        output.WriteLine(string.Create(c, $"| region per parent step ({rollout.Ratio} steps + 1 interpolation) | {(rollout.Ratio * nested) + interpolate:F3} | {((rollout.Ratio * nested) + interpolate) / global:F2} |"));
        return 0;
    }

    private static double Time(int repeats, Action action)
    {
        action(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalSeconds);
        }

        return Statistics.Median(times);
    }
}
