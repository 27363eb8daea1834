using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GraphCast.Data.InitialConditions;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Faults;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast forecast</c>: submits an ensemble forecast to an embedded silo (the local default) or a cluster, shows live
/// per-member progress and a summary table, and says where the Zarr store landed.
/// </summary>
public static class ForecastCommand
{
    /// <summary>The chunk codec a forecast gets unless --compression says otherwise.</summary>
    public static readonly string DefaultCompression = GraphCast.Formats.Zarr.ZarrCompressor.Default.ToString();

    /// <summary>How long a cluster submit keeps retrying gateways that died (as long as a watch rides out an unreachable cluster).</summary>
    private static readonly TransientRetryPolicy SubmitRetry = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2));

    private static readonly DateTime DefaultInitTime = ForecastRequest.DefaultInitTime;

    public static Command Create()
    {
        var command = new Command("forecast", "Run an ensemble forecast: on an embedded silo (the Zarr store lands in DIR/runs/ID/forecast.zarr), or with --cluster on a running cluster (Ctrl-C detaches; the run goes on).");
        var model = new ModelChoice(command, $"The model: one of {string.Join(", ", Presets.All.Select(p => p.Name))} (default demo). The tiny and demo presets have random weights.");
        var stats = CliOptions.Text("--stats", "With --checkpoint: a folder of normalisation statistics (mean_by_level.nc, stddev_by_level.nc, diffs_stddev_by_level.nc).", "DIR");
        var members = CliOptions.Int("--members", "Ensemble members (member 0 is the unperturbed control).", 4, min: 1);
        var steps = CliOptions.Int("--steps", "Steps of 6 h.", 8, min: 1);
        var seed = CliOptions.Int("--seed", "The run's seed: member m's random stream depends only on (seed, m).", 0);
        var init = CliOptions.Text("--init", "The initial condition: 'analytic' (the Jablonowski–Williamson baroclinic wave), or a netCDF (3 or 4) or GRIB file or a forecast.zarr folder (see docs/initial-conditions.md).", "analytic|FILE", "analytic");
        var initTime = CliOptions.Time("--init-time", "Valid time (UTC) of the newest input frame; required with --init FILE (default 2024-06-03T06:00Z for analytic).");
        var fill = CliOptions.Text("--fill", "With --init FILE: how to fill what the file lacks: none, interpolate, analytic, or interpolate,analytic (default none: missing inputs are an error).", "POLICY");
        var perturb = CliOptions.Text("--perturb", "How members are perturbed: none, gaussian:AMP or correlated:AMP:LENGTH_KM.", "SPEC", "gaussian:0.05");
        var perturbParams = CliOptions.Text("--perturb-params", "Perturbed parameters: each member but the control computes with its own copy of the model's parameters plus seeded noise, gaussian:SCALE[:PATTERN] (SCALE a fraction of each tensor's std; PATTERN a regular expression over parameter paths, e.g. gaussian:0.01:^mesh_gnn/).", "SPEC");
        var compression = CliOptions.Text("--compression", "Lossless codec of the forecast's Zarr chunks: none, zlib[:1-9] or zstd[:1-22] (docs/ensemble-outputs.md has measured ratios).", "CODEC", DefaultCompression);
        var every = CliOptions.Int("--checkpoint-every", "Write a member's rollout checkpoint every K steps (and always after the last).", 1, min: 1);
        var output = CliOptions.Text("--output", $"The embedded silo's storage folder (default {RunStorage.DefaultDirectory}); the run goes to DIR/runs/ID.", "DIR");
        var runId = CliOptions.Text("--run-id", "The run id (default run-UTCTIME-RANDOM): 1 to 128 letters, digits, '.', '_' or '-'.", "ID");
        var variables = CliOptions.Text("--variables", "Output variables, comma-separated (default: everything the model predicts).", "a,b,...");
        var regions = CliOptions.Repeated("--region", "A forecast region nested in every member, NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]] (e.g. europe:35:70:-10:30:0.5:3h; RES and STEP divide the parent's, BOUNDARY cells, default 2); repeatable. Output: DIR/runs/ID/regions/NAME/forecast.zarr (docs/regions.md).", "REGION");
        var regionModels = CliOptions.Repeated("--region-model", "A region's parameters: NAME=seed:N (random weights, the default seed:0), NAME=FILE (.safetensors or .npz by Haiku name) or NAME=none (a cut-out of the parent's fields); repeatable.", "NAME=MODEL");
        var cluster = CliOptions.Flag("--cluster", "Submit to the running cluster whose profile is in --cluster-dir instead of an embedded silo.");
        var clusterDir = RunsLocation.ClusterDirectoryOption();
        foreach (var option in new Option[] { stats, members, steps, seed, init, initTime, fill, perturb, perturbParams, compression, every, output, runId, variables, regions, regionModels, cluster, clusterDir })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var onCluster = parse.GetValue(cluster);
            if (onCluster && (CliOptions.Given(parse, output) || parse.GetValue(model.Checkpoint) is not null || parse.GetValue(stats) is not null))
            {
                throw new UsageException("--output, --checkpoint and --stats are for the embedded silo: a cluster writes to its own storage and loads models from its silos' Models settings. Drop them, or drop --cluster.");
            }

            var (modelRef, weights) = model.Resolve(parse, "demo");
            var request = new Request(
                modelRef, weights, parse.GetValue(stats), parse.GetValue(members), parse.GetValue(steps), parse.GetValue(seed),
                parse.GetValue(init)!, parse.GetValue(initTime), parse.GetValue(fill), parse.GetValue(perturb)!, parse.GetValue(compression)!, parse.GetValue(every),
                parse.GetValue(output) ?? RunStorage.DefaultDirectory,
                parse.GetValue(runId) ?? $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x1000, 0xffff):x4}",
                parse.GetValue(variables), onCluster, parse.GetValue(clusterDir)!, RegionEntries(parse.GetValue(regions)!, parse.GetValue(regionModels)!), parse.GetValue(perturbParams));
            return RunAsync(request, parse.InvocationConfiguration.Output, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Request r, TextWriter output, CancellationToken cancellationToken)
    {
        if (r.Stats is not null && !Directory.Exists(r.Stats))
        {
            throw new UsageException($"--stats {r.Stats}: no such directory (it should hold mean_by_level.nc, stddev_by_level.nc and diffs_stddev_by_level.nc).");
        }

        var fill = FillPolicy.None;
        var initTime = r.InitTime ?? DefaultInitTime;
        if (r.Init != "analytic")
        {
            if (!File.Exists(r.Init) && !Directory.Exists(r.Init))
            {
                throw new UsageException($"--init {r.Init}: no such file or folder; give 'analytic', a netCDF or GRIB file, or a forecast.zarr folder.");
            }

            if (r.InitTime is null)
            {
                throw new UsageException($"--init {r.Init} needs --init-time ISO8601: the valid time of the newest input frame (e.g. --init-time 2024-06-03T06:00Z).");
            }

            try
            {
                fill = FillPolicies.Parse(r.Fill ?? "none");
            }
            catch (ArgumentException e)
            {
                throw new UsageException("--fill: " + ExitCodes.OneLine(e.Message));
            }
        }
        else if (r.Fill is not null)
        {
            throw new UsageException("--fill applies to --init FILE; the analytic state lacks nothing.");
        }

        if (r.Output.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--output https://… needs a cluster with Azure storage; the embedded default writes to a local directory.");
        }

        // Checked before the silo starts (which creates the folder): a file, or a folder this process cannot write, is refused.
        var outputExisted = r.Cluster || Directory.Exists(r.Output);
        if (!r.Cluster)
        {
            OutputPaths.RequireWritableFolderPath(r.Output, "--output");
        }

        // The checks every front end shares (the HTTP API's POST /v1/runs too), with the same messages.
        var (spec, problems) = new ForecastRequest
        {
            Model = r.Model,
            Members = r.Members,
            Steps = r.Steps,
            Seed = r.Seed,
            Init = r.Init,
            InitTime = initTime,
            Perturb = r.Perturb,
            Compression = r.Compression,
            CheckpointEvery = r.CheckpointEvery,
            Variables = r.Variables is null ? [] : r.Variables.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Regions = r.Regions,
            ParamPerturbation = r.PerturbParams,
        }.ToSpec(r.RunId);
        if (problems is [var problem, ..])
        {
            throw new UsageException((problem.Field == "compression" ? "--compression: " : string.Empty) + ExitCodes.OneLine(problem.Message));
        }

        var perturbation = spec!.Perturbation;

        // One owner per run on a local store: a second process with this run id and folder stops here, naming the first.
        var owner = r.Cluster ? null : RunOwnerLock.Acquire(r.Output, r.RunId);
        try
        {
            return await SubmitAndFollowAsync(r, spec!, initTime, fill, perturbation, output, cancellationToken);
        }
        catch when (!outputExisted)
        {
            // Refused before a run existed: leave no folder behind where there was none (only empty folders and this
            // process's own lock are removed).
            owner?.Dispose();
            owner = null;
            RemoveEmptyFolders(r.Output);
            throw;
        }
        finally
        {
            owner?.Dispose();
        }
    }

    private static async Task<int> SubmitAndFollowAsync(Request r, ForecastSpec spec, DateTime initTime, FillPolicy fill, PerturbationSpec perturbation, TextWriter output, CancellationToken cancellationToken)
    {
        IEngineConnection connection;
        if (r.Cluster)
        {
            output.WriteLine($"Connecting to the cluster of {ClusterProfile.PathOf(r.ClusterDirectory)} ...");
            connection = await ClusterConnection.ConnectAsync(r.ClusterDirectory, cancellationToken);
        }
        else
        {
            output.WriteLine($"Starting an embedded silo (storage: {Path.GetFullPath(r.Output)}) ...");
            connection = await EmbeddedSilo.StartAsync(r.Output, r.WeightsDirectory, cancellationToken, r.Stats);
        }

        await using var _ = connection;
        var run = connection.Grains.GetGrain<IForecastRunGrain>(r.RunId);
        var watch = Stopwatch.StartNew();
        if (r.WeightsDirectory is not null)
        {
            // The check 'model describe' makes (every parameter present, with the shape the config needs), before anything
            // of the run is written: an incomplete checkpoint is one line, not a run whose members all fail.
            await connection.Grains.GetGrain<IModelCatalogGrain>(0).DescribeAsync(r.Model, cancellationToken);
        }

        InitialConditionStore? prepared = null;
        if (r.Init != "analytic")
        {
            // Read the user's data here, where the file is, once: members on any silo read the prepared blob. The model's
            // grid and task come from the silo's model catalog (presets and its checkpoints).
            var inputs = await connection.Grains.GetGrain<IModelCatalogGrain>(0).GetInputsAsync(r.Model, cancellationToken);
            var task = new TaskConfig
            {
                InputVariables = inputs.InputVariables,
                TargetVariables = inputs.TargetVariables,
                ForcingVariables = inputs.ForcingVariables,
                PressureLevels = inputs.PressureLevels,
                InputDuration = inputs.InputDuration,
                TimeStep = inputs.TimeStep,
            };
            using var dataset = await DataSources.OpenAsync(r.Init, cancellationToken);
            prepared = new InitialConditionStore(connection.Storage);
            var (initialCondition, condition) = await prepared.PrepareAsync(
                r.RunId, dataset, task, [.. inputs.Latitudes], [.. inputs.Longitudes], initTime, fill, cancellationToken: cancellationToken);
            spec = spec with { InitialCondition = initialCondition };
            output.WriteLine($"Initial condition: {r.Init} at {string.Join(" and ", condition.Times.Select(t => t.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)))}, regridded to the model grid ({initialCondition[..30]}…)");
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
            // A submit is idempotent (the same spec again returns the run): on a cluster, a gateway that dies under it is
            // ridden out through another.
            status = r.Cluster
                ? await TransientFaults.RetryAsync(ct => run.SubmitAsync(spec, ct), SubmitRetry, null, cancellationToken)
                : await run.SubmitAsync(spec, cancellationToken);
        }
        catch (ArgumentException e)
        {
            if (prepared is not null && await run.GetStatusAsync(cancellationToken) is null)
            {
                // The run was refused: leave nothing of it behind.
                await prepared.DeleteAsync(r.RunId, cancellationToken);
            }

            throw new UsageException(ExitCodes.OneLine(e.Message));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Run {r.RunId}: {spec.Model}, {r.Members} members × {r.Steps} steps of {6} h from {initTime:yyyy-MM-dd HH:mm}Z, perturbation {perturbation}, seed {r.Seed}"));
        var exit = await RunsCommands.FollowAsync(run, r.RunId, connection, output, watch, cancellationToken, r.ClusterDirectory);
        if (r.Regions.Count > 0 && exit == 0)
        {
            exit = await FollowRegionsAsync(connection, spec, r.Cluster ? null : r.Output, output, cancellationToken);
        }

        return exit;
    }

    /// <summary>
    /// Waits for every (region, member) grain to finish — a region may finish after its parent, and an embedded silo must
    /// outlive it — then prints one line per region: where its store is, and any member whose region failed (the run itself
    /// is complete either way). Exit 1 when a region failed.
    /// </summary>
    private static async Task<int> FollowRegionsAsync(IEngineConnection connection, ForecastSpec spec, string? folder, TextWriter output, CancellationToken cancellationToken)
    {
        var failed = 0;
        foreach (var name in spec.RegionNames)
        {
            var progress = new List<RegionProgress>();
            for (var member = 0; member < spec.Members; member++)
            {
                var grain = connection.Grains.GetGrain<IForecastRegionGrain>(IForecastRegionGrain.Key(spec.RunId, name, member));
                RegionProgress p;
                while ((p = await grain.GetProgressAsync(cancellationToken)).State is not (MemberState.Completed or MemberState.Failed))
                {
                    await Task.Delay(200, cancellationToken);
                }

                progress.Add(p);
            }

            var where = folder is null ? RunLayout.RegionForecastStore(spec.RunId, name) : Path.Combine(Path.GetFullPath(folder), RunLayout.RegionForecastStore(spec.RunId, name));
            var bad = progress.Where(p => p.State == MemberState.Failed).ToArray();
            failed += bad.Length;
            output.WriteLine(bad.Length == 0
                ? $"Region {name}: {progress.Count} members × {progress[0].Step} steps → {where}"
                : $"Region {name}: failed in member(s) {string.Join(", ", bad.Select(b => b.Member))}: {ExitCodes.OneLine(bad[0].Error ?? "unknown")} (the global forecast is complete)");
        }

        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// The spec's region entries (<c>REGION=MODEL</c>) from <c>--region</c> and <c>--region-model</c>: a model for a region not
    /// given, a model given twice or a weights file that does not exist is one line; the region texts are checked by the run.
    /// </summary>
    internal static IReadOnlyList<string> RegionEntries(IReadOnlyList<string> regions, IReadOnlyList<string> models)
    {
        var names = regions.Select(r => r.Split(':')[0]).ToArray();
        var chosen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in models)
        {
            var split = entry.IndexOf('=', StringComparison.Ordinal);
            if (split <= 0 || split == entry.Length - 1)
            {
                throw new UsageException($"--region-model '{entry}' must be NAME=seed:N, NAME=FILE or NAME=none, e.g. europe=seed:1.");
            }

            var name = entry[..split];
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new UsageException($"--region-model '{entry}': there is no --region named '{name}'{(names.Length == 0 ? "" : $" (regions: {string.Join(", ", names)})")}.");
            }

            var model = entry[(split + 1)..];
            RegionModelSource source;
            try
            {
                source = RegionModelSource.Parse(model);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(ExitCodes.OneLine(e.Message));
            }

            if (source.Kind == RegionModelKind.File)
            {
                if (!File.Exists(model))
                {
                    throw new UsageException($"--region-model {entry}: no such file; give a .safetensors or .npz file of the region's weights, or seed:N.");
                }

                model = Path.GetFullPath(model);
            }

            if (!chosen.TryAdd(name, model))
            {
                throw new UsageException($"--region-model names region '{name}' twice: give one model per region.");
            }
        }

        return regions.Select((r, i) => $"{r}={(chosen.TryGetValue(names[i], out var m) ? m : "seed:0")}").ToArray();
    }

    /// <summary>Removes <paramref name="directory"/> if it holds no file at any depth but run locks (what a refused start leaves behind).</summary>
    private static void RemoveEmptyFolders(string directory)
    {
        try
        {
            var locks = Path.Combine(Path.GetFullPath(directory), ".graphcast", "locks") + Path.DirectorySeparatorChar;
            if (Directory.Exists(directory) && !Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Any(f => !Path.GetFullPath(f).StartsWith(locks, StringComparison.Ordinal)))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the error being reported matters more than an empty folder.
        }
    }

    private sealed record Request(
        string Model, string? WeightsDirectory, string? Stats, int Members, int Steps, int Seed, string Init, DateTime? InitTime, string? Fill,
        string Perturb, string Compression, int CheckpointEvery, string Output, string RunId, string? Variables, bool Cluster, string ClusterDirectory,
        IReadOnlyList<string> Regions, string? PerturbParams);
}
