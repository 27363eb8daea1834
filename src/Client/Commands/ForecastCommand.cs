using System.Diagnostics;
using System.Globalization;
using GraphCast.Data.InitialConditions;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using Microsoft.Extensions.DependencyInjection;

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
        var fillText = args.String("fill");
        var cluster = args.Flag("cluster");
        var clusterDir = ClusterCommands.ClusterDirectory(args);
        args.RejectUnknown("forecast");
        if (cluster && (args.Has("output") || checkpoint is not null || stats is not null))
        {
            throw new UsageException("--output, --checkpoint and --stats are for the embedded silo: a cluster writes to its own storage and loads models from its silos' Models settings. Drop them, or drop --cluster.");
        }
        if (preset is not null && checkpoint is not null)
        {
            throw new UsageException("Give --preset NAME or --checkpoint FILE.npz, not both.");
        }

        if (stats is not null && !Directory.Exists(stats))
        {
            throw new UsageException($"--stats {stats}: no such directory (it should hold mean_by_level.nc, stddev_by_level.nc and diffs_stddev_by_level.nc).");
        }

        var fill = FillPolicy.None;
        if (init != "analytic")
        {
            if (!File.Exists(init) && !Directory.Exists(init))
            {
                throw new UsageException($"--init {init}: no such file or folder; give 'analytic', a netCDF or GRIB file, or a forecast.zarr folder.");
            }

            if (!args.Has("init-time"))
            {
                throw new UsageException($"--init {init} needs --init-time ISO8601: the valid time of the newest input frame (e.g. --init-time 2024-06-03T06:00Z).");
            }

            try
            {
                fill = FillPolicies.Parse(fillText ?? "none");
            }
            catch (ArgumentException e)
            {
                throw new UsageException("--fill: " + e.Message);
            }
        }
        else if (fillText is not null)
        {
            throw new UsageException("--fill applies to --init FILE; the analytic state lacks nothing.");
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

        IEngineConnection connection;
        if (cluster)
        {
            output.WriteLine($"Connecting to the cluster of {ClusterProfile.PathOf(clusterDir)} ...");
            connection = await ClusterConnection.ConnectAsync(clusterDir, cancellationToken);
        }
        else
        {
            output.WriteLine($"Starting an embedded silo (storage: {Path.GetFullPath(outputDir)}) ...");
            connection = await EmbeddedSilo.StartAsync(outputDir, checkpointDirectory, cancellationToken, stats);
        }

        await using var _ = connection;
        var run = connection.Grains.GetGrain<IForecastRunGrain>(runId);
        var watch = Stopwatch.StartNew();
        InitialConditionStore? prepared = null;
        if (init != "analytic")
        {
            // Read the user's data here, where the file is, once: members on any silo read the prepared blob.
            // The model's grid and task: from the embedded silo's registry (presets and checkpoints), or the preset (a cluster
            // loads checkpoints on its silos, and --checkpoint is refused with --cluster).
            var (modelConfig, task) = connection is EmbeddedSilo embedded
                ? embedded.Services.GetRequiredService<ModelRegistry>().Describe(model)
                : (GraphCast.Model.Configuration.Presets.Get(model).Model, GraphCast.Model.Configuration.Presets.Get(model).Task);
            using var dataset = await DataSources.OpenAsync(init, cancellationToken);
            prepared = new InitialConditionStore(connection.Storage);
            var (initialCondition, condition) = await prepared.PrepareAsync(runId, dataset, modelConfig, task, initTime, fill, cancellationToken: cancellationToken);
            spec = spec with { InitialCondition = initialCondition };
            output.WriteLine($"Initial condition: {init} at {string.Join(" and ", condition.Times.Select(t => t.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)))}, regridded to the model grid ({initialCondition[..30]}…)");
            foreach (var source in condition.Sources)
            {
                output.WriteLine($"  read    {source}");
            }

            foreach (var filled in condition.Filled)
            {
                output.WriteLine($"  filled  {filled}");
            }
        }

        RunStatus status;
        try
        {
            status = await run.SubmitAsync(spec, cancellationToken);
        }
        catch (ArgumentException e)
        {
            if (prepared is not null && await run.GetStatusAsync(cancellationToken) is null)
            {
                // The run was refused: leave nothing of it behind.
                await prepared.DeleteAsync(runId, cancellationToken);
            }

            throw new UsageException(e.Message);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Run {runId}: {spec.Model}, {members} members × {steps} steps of {6} h from {initTime:yyyy-MM-dd HH:mm}Z, perturbation {perturbation}, seed {seed}"));
        return await RunsCommands.FollowAsync(run, runId, connection, output, watch, cancellationToken, clusterDir);
    }
}
