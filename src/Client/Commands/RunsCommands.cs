using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast runs</c>, <c>status RUN</c>, <c>watch RUN</c>, <c>cancel RUN</c> and <c>resume RUN</c>: against the embedded
/// default's folder (<c>--output DIR</c>), or with <c>--cluster</c> against a running cluster.
/// </summary>
public static class RunsCommands
{
    public static async Task<int> ListAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        await using var target = await OpenReadOnlyAsync(args, "runs", cancellationToken);
        var runs = await new RunManifestStore(target.Storage).ListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            output.WriteLine($"No runs in {target.Storage.Location}.");
            return 0;
        }

        output.WriteLine("run id                            state      members  steps done   created (UTC)      model");
        foreach (var r in runs)
        {
            var done = r.Members.Sum(m => m.Step);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.RunId,-33} {r.State,-9}  {r.Spec.Members,7}  {done,5}/{r.Spec.Members * r.Spec.Steps,-5}  {r.CreatedUtc:yyyy-MM-dd HH:mm:ss}  {r.Spec.Model}"));
        }

        return 0;
    }

    public static async Task<int> StatusAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = RunId(args, "status");
        await using var target = await OpenReadOnlyAsync(args, "status", cancellationToken);
        var status = await target.StatusAsync(runId, cancellationToken);
        output.WriteLine($"Run {runId}: {status.State}; {status.Spec.Model}, {status.Spec.Members} members × {status.Spec.Steps} steps, created {status.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z");
        foreach (var m in status.Members)
        {
            output.WriteLine(ProgressView.Bar(m, status.Spec.Steps));
        }

        if (status.Waiting is not null)
        {
            output.WriteLine($"Waiting: {status.Waiting}");
        }

        if (status.Error is not null)
        {
            output.WriteLine($"Error: {status.Error}");
        }

        output.WriteLine($"Forecast: {status.ForecastLocation}");
        return 0;
    }

    /// <summary>Follows a run until it finishes: live from a cluster, or by re-reading the manifest in a local folder.</summary>
    public static async Task<int> WatchAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = RunId(args, "watch");
        await using var target = await OpenReadOnlyAsync(args, "watch", cancellationToken);
        var watch = Stopwatch.StartNew();
        var status = await target.StatusAsync(runId, cancellationToken);
        if (target.Connection is { } connection)
        {
            return await FollowAsync(connection.Grains.GetGrain<IForecastRunGrain>(runId), runId, connection, output, watch, cancellationToken, ClusterCommands.ClusterDirectory(args));
        }

        // A local folder: whoever runs it (an embedded silo in another process) updates run.json every half second.
        while (!status.IsFinished)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} {status.State}: {status.Members.Sum(m => m.Step)}/{status.Spec.Members * status.Spec.Steps} member steps"));
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            status = await target.StatusAsync(runId, cancellationToken);
        }

        ProgressView.Summary(status, output, watch.Elapsed);
        return status.State == RunState.Completed ? 0 : 1;
    }

    public static async Task<int> CancelAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = RunId(args, "cancel");
        await using var connection = await OpenAsync(args, "cancel", cancellationToken);
        await RequireRunAsync(connection.Storage, runId, cancellationToken);
        var status = await connection.Grains.GetGrain<IForecastRunGrain>(runId).CancelAsync(cancellationToken);
        output.WriteLine(status.State == RunState.Cancelled
            ? $"Run {runId} cancelled at {status.Members.Sum(m => m.Step)}/{status.Spec.Members * status.Spec.Steps} member steps; 'graphcast resume {runId}' continues it from its checkpoints."
            : $"Run {runId} had already finished: {status.State}.");
        return 0;
    }

    public static async Task<int> ResumeAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = RunId(args, "resume");
        await using var connection = await OpenAsync(args, "resume", cancellationToken);
        await RequireRunAsync(connection.Storage, runId, cancellationToken);
        var run = connection.Grains.GetGrain<IForecastRunGrain>(runId);
        var watch = Stopwatch.StartNew();
        await run.ResumeAsync(cancellationToken);
        return await FollowAsync(run, runId, connection, output, watch, cancellationToken, ClusterCommands.ClusterDirectory(args));
    }

    /// <summary>
    /// Shows live progress until the run finishes, then the summary. On a cluster, Ctrl-C only detaches: the run goes on.
    /// </summary>
    public static async Task<int> FollowAsync(IForecastRunGrain run, string runId, IEngineConnection connection, TextWriter output, Stopwatch watch, CancellationToken cancellationToken, string clusterDir)
    {
        RunStatus status;
        try
        {
            status = await ProgressView.WatchAsync(run, output, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && connection.RunsOutliveClient)
        {
            output.WriteLine($"Detached from run {runId}; it goes on in the cluster. Follow it with: graphcast watch {runId} --cluster{(clusterDir == ClusterProfile.DefaultDirectory ? "" : " --cluster-dir " + clusterDir)}");
            return 0;
        }

        ProgressView.Summary(status, output, watch.Elapsed);
        await ProgressView.StatisticsAsync(connection, runId, status, output, cancellationToken);
        return status.State == RunState.Completed ? 0 : 1;
    }

    /// <summary>Where a run command acts: <c>--cluster</c> (with <c>--cluster-dir</c>) or the folder <c>--output DIR</c>; no other options.</summary>
    private static (bool Cluster, string Directory, string ClusterDirectory) Target(CliArguments args, string command)
    {
        var target = (args.Flag("cluster"), args.String("output") ?? "graphcast-output", ClusterCommands.ClusterDirectory(args));
        args.RejectUnknown(command);
        return target;
    }

    /// <summary>A connection that runs things: the cluster (<c>--cluster</c>), or an embedded silo on <c>--output DIR</c>.</summary>
    private static async Task<IEngineConnection> OpenAsync(CliArguments args, string command, CancellationToken cancellationToken)
    {
        var (cluster, dir, clusterDir) = Target(args, command);
        if (cluster)
        {
            return await ClusterConnection.ConnectAsync(clusterDir, cancellationToken);
        }

        await RequireFolderAsync(dir);
        return await EmbeddedSilo.StartAsync(dir, null, cancellationToken);
    }

    /// <summary>Reading only: the cluster's storage and grains (<c>--cluster</c>), or the local folder without starting a silo.</summary>
    private static async Task<ReadTarget> OpenReadOnlyAsync(CliArguments args, string command, CancellationToken cancellationToken)
    {
        var (cluster, dir, clusterDir) = Target(args, command);
        if (cluster)
        {
            var connection = await ClusterConnection.ConnectAsync(clusterDir, cancellationToken);
            return new ReadTarget(connection.Storage, connection);
        }

        await RequireFolderAsync(dir);
        return new ReadTarget(new LocalDirectoryBlobStore(Path.GetFullPath(dir)), null);
    }

    private static Task RequireFolderAsync(string dir) =>
        Directory.Exists(dir) ? Task.CompletedTask
        : throw new UsageException($"No runs folder at {Path.GetFullPath(dir)}. Give the folder a forecast wrote to with --output DIR, or add --cluster for a cluster's runs.");

    private static async Task RequireRunAsync(IBlobStore storage, string runId, CancellationToken cancellationToken)
    {
        RunLayout.ValidateRunId(runId);
        var (status, _) = await new RunManifestStore(storage).ReadAsync(runId, cancellationToken);
        if (status is null)
        {
            throw new UsageException($"There is no run '{runId}' in {storage.Location}. 'graphcast runs' lists the runs there.");
        }
    }

    private static string RunId(CliArguments args, string command) =>
        args.Positional.Count == 1 ? args.Positional[0] : throw new UsageException($"'{command}' needs one run id: graphcast {command} RUN_ID.");

    /// <summary>Where status comes from: a cluster's run grain (live), or a folder's run.json.</summary>
    private sealed class ReadTarget(IBlobStore storage, IEngineConnection? connection) : IAsyncDisposable
    {
        public IBlobStore Storage { get; } = storage;

        public IEngineConnection? Connection { get; } = connection;

        public async Task<RunStatus> StatusAsync(string runId, CancellationToken cancellationToken)
        {
            try
            {
                RunLayout.ValidateRunId(runId);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            var status = Connection is not null
                ? await Connection.Grains.GetGrain<IForecastRunGrain>(runId).GetStatusAsync(cancellationToken)
                : (await new RunManifestStore(Storage).ReadAsync(runId, cancellationToken)).Status;
            return status ?? throw new UsageException($"There is no run '{runId}' in {Storage.Location}. 'graphcast runs' lists the runs there.");
        }

        public async ValueTask DisposeAsync()
        {
            if (Connection is not null)
            {
                await Connection.DisposeAsync();
            }
        }
    }
}
