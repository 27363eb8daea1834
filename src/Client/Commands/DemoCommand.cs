using System.Diagnostics;
using System.Globalization;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using TorchSharp;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast demo [--preset tiny|demo] [--seed N] [--steps N]</c>: builds a preset with random weights through the
/// transform (Init), runs it from the analytic baroclinic-wave state (Apply, autoregressively) and prints what it computed.
/// </summary>
public static class DemoCommand
{
    private static readonly string[] Shown = [Variables.Temperature2m, Variables.MeanSeaLevelPressure, Variables.UWind10m, Variables.Temperature];

    public static int Run(CliArguments args, TextWriter output)
    {
        var presetName = args.String("preset") ?? "tiny";
        var seed = args.Int("seed", 0);
        var steps = args.Int("steps", 2, min: 1);
        args.RejectUnknown("demo");
        var preset = Presets.Get(presetName);
        var c = CultureInfo.InvariantCulture;

        var watch = Stopwatch.StartNew();
        using var model = GraphCastModel.FromPreset(preset, new GraphCastModelOptions { Seed = seed });
        var initSeconds = watch.Elapsed.TotalSeconds;
        output.WriteLine($"{preset.Name}: {preset.Description}");
        output.WriteLine(string.Create(c, $"Init (seed {seed}): {model.Params.TotalElements:N0} parameters in {model.Params.Count} tensors, {initSeconds:F2} s (graphs {model.GraphBuildTime.TotalSeconds:F2} s{(model.GraphFromCache ? ", cached" : "")})"));
        output.WriteLine($"Model hash: {model.Hash[..16]}");

        var layout = model.Predictor.Layout;
        var init = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);
        using var carry = InitialCarry.Analytic(layout, model.Latitudes, model.Longitudes, init);
        var forcings = new ComputedForcings(layout, model.Latitudes, model.Longitudes);
        output.WriteLine(string.Create(c, $"Apply from the Jablonowski–Williamson baroclinic-wave state at {init:yyyy-MM-dd HH:mm}Z, {model.Predictor.GridNodeCount:N0} grid nodes:"));
        output.WriteLine("step  valid time         " + string.Join("  ", Shown.Select(v => $"{Short(v),-22}")) + "  seconds");
        Print(output, 0, init, carry.Frames[^1], layout.Dynamic, 0);
        watch.Restart();
        foreach (var step in model.Predictor.Rollout(model.Params, carry, steps, forcings))
        {
            var seconds = watch.Elapsed.TotalSeconds;
            using (step.Predictions)
            {
                Print(output, step.Step, step.ValidTime, step.Predictions, layout.Targets, seconds);
            }

            watch.Restart();
        }

        output.WriteLine("Values are global means (min..max) of random-weight predictions: they show the pipeline ran, not a forecast.");
        return 0;
    }

    private static void Print(TextWriter output, int step, DateTime time, torch.Tensor frame, GraphCast.Model.Fields.ChannelLayout layout, double seconds)
    {
        var cells = new List<string>();
        foreach (var v in Shown)
        {
            var block = layout[v];
            using var values = frame.narrow(2, block.Offset, 1);
            cells.Add(string.Create(CultureInfo.InvariantCulture, $"{values.mean().item<float>(),8:F2} ({values.min().item<float>():F0}..{values.max().item<float>():F0})").PadRight(22));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,4}  {time:yyyy-MM-dd HH:mm}Z  {string.Join("  ", cells)}  {(step == 0 ? "" : seconds.ToString("F3", CultureInfo.InvariantCulture))}"));
    }

    private static string Short(string variable) => variable switch
    {
        Variables.Temperature2m => "2m temperature [K]",
        Variables.MeanSeaLevelPressure => "MSL pressure [Pa]",
        Variables.UWind10m => "10m u wind [m/s]",
        Variables.Temperature => "T 50 hPa [K]",
        _ => variable,
    };
}
