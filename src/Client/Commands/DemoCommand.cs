using System.CommandLine;
using System.Globalization;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Hosting;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast demo [--preset tiny|demo] [--seed N] [--steps N]</c>: asks an embedded silo's model catalog to build a preset
/// with random weights through the transform (Init) and run it from the analytic baroclinic-wave state (Apply,
/// autoregressively), and prints what it computed.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Init a preset with random weights and Apply it from the analytic baroclinic-wave state, on an embedded silo; print global means of a few fields per step.");
        var preset = CliOptions.Text("--preset", "The preset (tiny or demo run in seconds on a CPU).", "NAME", "tiny");
        preset.CompletionSources.Add(_ => Presets.All.Select(p => p.Name));
        var seed = CliOptions.Int("--seed", "Seed of the random weights.", 0);
        var steps = CliOptions.Int("--steps", "Steps of 6 h to apply.", 2, min: 1);
        command.Options.Add(preset);
        command.Options.Add(seed);
        command.Options.Add(steps);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = Directory.CreateTempSubdirectory("graphcast-demo-");
            try
            {
                ModelDemo demo;
                await using (var silo = await EmbeddedSilo.StartAsync(storage.FullName, null, cancellationToken))
                {
                    demo = await silo.Grains.GetGrain<IModelCatalogGrain>(0).DemoAsync(parse.GetValue(preset)!, parse.GetValue(seed), parse.GetValue(steps), cancellationToken);
                }

                Print(demo, parse.InvocationConfiguration.Output);
                return 0;
            }
            finally
            {
                storage.Delete(recursive: true);
            }
        });
        return command;
    }

    private static void Print(ModelDemo demo, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"{demo.Name}: {demo.Description}");
        output.WriteLine(string.Create(c, $"Init (seed {demo.Seed}): {demo.Parameters:N0} parameters in {demo.Tensors} tensors, {demo.InitSeconds:F2} s (graphs {demo.GraphBuildSeconds:F2} s{(demo.GraphFromCache ? ", cached" : "")})"));
        output.WriteLine($"Model hash: {demo.Hash[..16]}");
        output.WriteLine(string.Create(c, $"Apply from the Jablonowski–Williamson baroclinic-wave state at {demo.InitTime:yyyy-MM-dd HH:mm}Z, {demo.GridNodes:N0} grid nodes:"));
        output.WriteLine("step  valid time         " + string.Join("  ", demo.Steps[0].Fields.Select(f => $"{Label(f),-22}")) + "  seconds");
        foreach (var step in demo.Steps)
        {
            var cells = step.Fields.Select(f => string.Create(c, $"{f.Mean,8:F2} ({f.Min:F0}..{f.Max:F0})").PadRight(22));
            output.WriteLine(string.Create(c, $"{step.Step,4}  {step.ValidTime:yyyy-MM-dd HH:mm}Z  {string.Join("  ", cells)}  {(step.Step == 0 ? "" : step.Seconds.ToString("F3", c))}"));
        }

        output.WriteLine("Values are global means (min..max) of random-weight predictions: they show the pipeline ran, not a forecast.");
    }

    private static string Label(FieldSummary field) => field.Variable switch
    {
        Variables.Temperature2m => "2m temperature [K]",
        Variables.MeanSeaLevelPressure => "MSL pressure [Pa]",
        Variables.UWind10m => "10m u wind [m/s]",
        Variables.Temperature => $"T {field.Level} hPa [K]",
        _ => field.Level is null ? field.Variable : $"{field.Variable} {field.Level} hPa",
    };
}
