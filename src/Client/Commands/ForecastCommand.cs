using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast forecast</c>: submits an ensemble forecast to an embedded silo (the local default), shows live per-member
/// progress and a summary table, and says where the Zarr store landed.
/// </summary>
public static class ForecastCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var preset = args.String("preset");
        var checkpoint = args.String("checkpoint");
        var members = args.Int("members", 4, min: 1);
        var steps = args.Int("steps", 8, min: 1);
        var seed = args.Int("seed", 0);
        var init = args.String("init") ?? "analytic";
        var initTime = args.Has("init-time") ? args.Time("init-time") : new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);
        var perturb = args.String("perturb") ?? "gaussian:0.05";
        var every = args.Int("checkpoint-every", 1, min: 1);
        var outputDir = args.String("output") ?? "graphcast-output";
        var runId = args.String("run-id") ?? $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x1000, 0xffff):x4}";
        var variables = args.String("variables");
        var stats = args.String("stats");
        args.RejectUnknown("forecast");
        if (preset is not null && checkpoint is not null)
        {
            throw new UsageException("Give --preset NAME or --checkpoint FILE.npz, not both.");
        }

        if (stats is not null && !Directory.Exists(stats))
        {
            throw new UsageException($"--stats {stats}: no such directory (it should hold mean_by_level.nc, stddev_by_level.nc and diffs_stddev_by_level.nc).");
        }

        if (init != "analytic")
        {
            throw new UsageException($"--init {init}: only the analytic initial condition is available so far (--init analytic).");
        }

        if (outputDir.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--output https://… needs a cluster with Azure storage; the embedded default writes to a local directory.");
        }

        PerturbationSpec perturbation;
        try
        {
            perturbation = PerturbationSpec.Parse(perturb);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        string model;
        string? checkpointDirectory = null;
        if (checkpoint is not null)
        {
            var full = Path.GetFullPath(checkpoint);
            if (!File.Exists(full))
            {
                throw new UsageException($"--checkpoint {checkpoint}: no such file.");
            }

            checkpointDirectory = Path.GetDirectoryName(full);
            model = "checkpoint:" + Path.GetFileName(full);
        }
        else
        {
            model = preset ?? "demo";
        }

        var spec = new ForecastSpec
        {
            RunId = runId,
            Model = model,
            InitialCondition = init,
            InitTime = initTime,
            Steps = steps,
            Members = members,
            Perturbation = perturbation,
            Seed = seed,
            CheckpointEvery = every,
            OutputVariables = variables is null ? [] : variables.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };

        output.WriteLine($"Starting an embedded silo (storage: {Path.GetFullPath(outputDir)}) ...");
        await using var silo = await EmbeddedSilo.StartAsync(outputDir, checkpointDirectory, cancellationToken, stats);
        var run = silo.Grains.GetGrain<IForecastRunGrain>(runId);
        var watch = Stopwatch.StartNew();
        RunStatus status;
        try
        {
            status = await run.SubmitAsync(spec, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Run {runId}: {spec.Model}, {members} members × {steps} steps of {6} h from {initTime:yyyy-MM-dd HH:mm}Z, perturbation {perturbation}, seed {seed}"));
        status = await ProgressView.WatchAsync(run, output, cancellationToken);
        ProgressView.Summary(status, output, watch.Elapsed);
        await ProgressView.StatisticsAsync(silo, runId, status, output, cancellationToken);
        return status.State == RunState.Completed ? 0 : 1;
    }
}
