using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Compute;
using GraphCast.Orleans.Grains.Engine;
using GraphCast.Orleans.Grains.Models;
using GraphCast.Orleans.Grains.Options;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast bench engine [--preset NAME] [--members N] [--steps N]</c>: the engine's overhead, measured in one process
/// run — a bare loop of the same members and steps (same model, initial conditions and step code, no Orleans, no storage)
/// against the embedded engine with a checkpoint only after the last step and with a checkpoint every step. Prints the
/// wall times and their ratios to the bare loop.
/// </summary>
public static class BenchEngineCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var preset = args.String("preset") ?? "tiny";
        var members = args.Int("members", 4, min: 1);
        var steps = args.Int("steps", 8, min: 1);
        args.RejectUnknown("bench engine");
        var c = CultureInfo.InvariantCulture;
        var root = Directory.CreateTempSubdirectory("graphcast-bench-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("GRAPHCAST_Models__GraphCacheDirectory", Path.Combine(root, "graphs"));
            var spec = new ForecastSpec
            {
                RunId = "bench",
                Model = preset,
                InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc),
                Steps = steps,
                Members = members,
                Perturbation = PerturbationSpec.Parse("gaussian:0.05"),
            };

            // Warm-up: build and cache the graphs, JIT the step path.
            await BareAsync(spec with { Members = 1, Steps = 1 }, Path.Combine(root, "graphs"));
            var bare = await BareAsync(spec, Path.Combine(root, "graphs"));
            var final = await EngineAsync(spec with { RunId = "bench-final", CheckpointEvery = steps }, Path.Combine(root, "final"), cancellationToken);
            var every = await EngineAsync(spec with { RunId = "bench-every", CheckpointEvery = 1 }, Path.Combine(root, "every"), cancellationToken);

            output.WriteLine(string.Create(c, $"engine overhead: preset {preset}, {members} members × {steps} steps, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            output.WriteLine("configuration                          wall (s)   ratio to bare");
            output.WriteLine(string.Create(c, $"bare loop (no Orleans, no storage)     {bare,8:F2}   1.00"));
            output.WriteLine(string.Create(c, $"engine, checkpoint after last step     {final,8:F2}   {final / bare:F2}"));
            output.WriteLine(string.Create(c, $"engine, checkpoint every step          {every,8:F2}   {every / bare:F2}"));
            output.WriteLine("Each configuration loads the model once (graphs from the cache); the engine time runs from submit to completion.");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> BareAsync(ForecastSpec spec, string graphs)
    {
        var watch = Stopwatch.StartNew();
        using var executor = new StepExecutor(MsOptions.Create(new ComputeOptions()), NullLogger<StepExecutor>.Instance);
        using var registry = new ModelRegistry(MsOptions.Create(new ModelsOptions { GraphCacheDirectory = graphs }), MsOptions.Create(new ComputeOptions()), executor, NullLogger<ModelRegistry>.Instance);
        using var lease = await registry.AcquireAsync(spec.Model);
        await executor.RunAsync(() =>
        {
            for (var m = 0; m < spec.Members; m++)
            {
                MemberRollout.RunBare(spec, m, lease);
            }

            return 0;
        });
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> EngineAsync(ForecastSpec spec, string directory, CancellationToken cancellationToken)
    {
        await using var silo = await EmbeddedSilo.StartAsync(directory, null, cancellationToken);
        var run = silo.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        var watch = Stopwatch.StartNew();
        await run.SubmitAsync(spec, cancellationToken);
        while (await run.GetStatusAsync(cancellationToken) is { IsFinished: false })
        {
            await Task.Delay(20, cancellationToken);
        }

        var status = await run.GetStatusAsync(cancellationToken);
        if (status?.State != RunState.Completed)
        {
            throw new InvalidOperationException($"The benchmark run ended {status?.State}: {status?.Error}");
        }

        return watch.Elapsed.TotalSeconds;
    }
}
