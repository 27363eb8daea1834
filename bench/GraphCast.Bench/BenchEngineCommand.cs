using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GraphCast.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/GraphCast.Bench -- engine [--preset NAME] [--members N] [--steps N]</c>: the engine's overhead, measured in one process
/// run — a bare loop of the same members and steps (same model, initial conditions and step code, no Orleans, no storage)
/// against the embedded engine with a checkpoint only after the last step and with a checkpoint every step. Prints the
/// wall times and their ratios to the bare loop.
/// </summary>
internal static class BenchEngineCommand
{
    public static async Task<int> RunAsync(BenchArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var preset = args.Preset ?? "tiny";
        var members = args.Members;
        var steps = args.Steps;
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

            var loadAtStart = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            // Warm-up: build and cache the graphs, JIT the step path.
            await BareAsync(spec with { Members = 1, Steps = 1 }, Path.Combine(root, "graphs"));
            var bare = await BareAsync(spec, Path.Combine(root, "graphs"));
            var final = await EngineAsync(spec with { RunId = "bench-final", CheckpointEvery = steps }, Path.Combine(root, "final"), cancellationToken);
            var every = await EngineAsync(spec with { RunId = "bench-every", CheckpointEvery = 1 }, Path.Combine(root, "every"), cancellationToken);

            output.WriteLine(string.Create(c, $"engine overhead: preset {preset}, {members} members × {steps} steps, {Environment.ProcessorCount} cores, load average {loadAtStart} at start, {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at end"));
            output.WriteLine("configuration                          wall (s)   ratio to bare   statistics settled (s)   mean step on the compute thread (s)");
            output.WriteLine(string.Create(c, $"bare loop (no Orleans, no storage)     {bare,8:F2}   {1.0,13:F2}   {"",22}   {bare / (members * steps),8:F3} (wall / member steps)"));
            output.WriteLine(string.Create(c, $"engine, checkpoint after last step     {final.Completed,8:F2}   {final.Completed / bare,13:F2}   {final.Settled,22:F2}   {final.StepSeconds,8:F3}"));
            output.WriteLine(string.Create(c, $"engine, checkpoint every step          {every.Completed,8:F2}   {every.Completed / bare,13:F2}   {every.Settled,22:F2}   {every.StepSeconds,8:F3}"));
            output.WriteLine("Each configuration loads the model once (graphs from the cache); the engine time runs from submit to the run's completion");
            output.WriteLine("(every chunk and checkpoint durable), and then to the ensemble statistics' last step written.");
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

    private static async Task<(double Completed, double Settled, double StepSeconds)> EngineAsync(ForecastSpec spec, string directory, CancellationToken cancellationToken)
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

        var completed = watch.Elapsed.TotalSeconds;
        // The online ensemble statistics finish a little after the run: wait for them, so the silo stops with nothing in flight.
        await RunStatistics.SettleAsync(silo.Grains, spec.RunId, spec.Steps, untilDone: true, cancellationToken);
        // Seconds the members' steps took on the compute thread (the model alone, as the members time it).
        var stepSeconds = status.Members.Sum(m => m.TotalStepSeconds) / status.Members.Sum(m => m.Step - m.ResumedFrom);
        return (completed, watch.Elapsed.TotalSeconds, stepSeconds);
    }
}
