using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast runs</c>, <c>status RUN</c>, <c>watch RUN</c>, <c>cancel RUN</c> and <c>resume RUN</c>: against the embedded
/// default's folder (<c>--output DIR</c>), or with <c>--cluster</c> against a running cluster.
/// </summary>
public static class RunsCommands
{
    public static IEnumerable<Command> Create() => [Runs(), Status(), Watch(), Cancel(), Resume(), Replay()];

    private static Command Runs()
    {
        var command = new Command("runs", "List the runs in a storage folder (--output DIR) or a cluster (--cluster): id, state, members, steps done, creation time, model.");
        var json = CliOptions.Flag("--json", "Print the runs as a JSON array instead of a table.");
        command.Options.Add(json);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var target = await OpenReadOnlyAsync(parse, where, cancellationToken);
            var (runs, damaged) = await new RunManifestStore(target.Storage).ListWithDamagedAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, runs.Select(r => (object)new
                {
                    r.RunId,
                    State = r.State.ToString(),
                    r.Spec.Model,
                    r.Spec.Members,
                    r.Spec.Steps,
                    MemberStepsDone = r.Members.Sum(m => m.Step),
                    MemberSteps = r.Spec.Members * r.Spec.Steps,
                    r.CreatedUtc,
                    r.CompletedUtc,
                    r.ForecastLocation,
                    r.Error,
                }).Concat(damaged.Select(d => (object)new { d.RunId, State = "Damaged", Error = d.Problem })));
            }
            else if (runs.Count == 0 && damaged.Count == 0)
            {
                output.WriteLine($"No runs in {target.Storage.Location}.");
            }
            else
            {
                output.WriteLine("run id                            state      members  steps done   created (UTC)      model");
                foreach (var r in runs)
                {
                    var done = r.Members.Sum(m => m.Step);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.RunId,-33} {r.State,-9}  {r.Spec.Members,7}  {done,5}/{r.Spec.Members * r.Spec.Steps,-5}  {r.CreatedUtc:yyyy-MM-dd HH:mm:ss}  {r.Spec.Model}"));
                }

                foreach (var d in damaged)
                {
                    output.WriteLine($"{d.RunId,-33} Damaged    (its run.json cannot be read: 'graphcast status {d.RunId}' says why)");
                }
            }

            // The others are listed; each damaged manifest is one line on stderr, and the exit code says not all is well.
            foreach (var d in damaged)
            {
                parse.InvocationConfiguration.Error.WriteLine("graphcast: " + ExitCodes.OneLine(d.Problem));
            }

            return damaged.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Show one run: its state, spec and each member's progress.");
        var runId = RunIdArgument();
        var json = CliOptions.Flag("--json", "Print the run as a JSON object (spec, state, members) instead of text.");
        command.Arguments.Add(runId);
        command.Options.Add(json);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var target = await OpenReadOnlyAsync(parse, where, cancellationToken);
            var status = await target.StatusAsync(parse.GetValue(runId)!, cancellationToken);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, StatusJson(status));
                return 0;
            }

            output.WriteLine($"Run {status.RunId}: {status.State}; {status.Spec.Model}, {status.Spec.Members} members × {status.Spec.Steps} steps, created {status.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z");
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
        });
        return command;
    }

    /// <summary>Follows a run until it finishes: live from a cluster, or by re-reading the manifest in a local folder.</summary>
    private static Command Watch()
    {
        var command = new Command("watch", "Follow a run until it ends, then print its summary (on a cluster, Ctrl-C only detaches).");
        var runId = RunIdArgument();
        command.Arguments.Add(runId);
        var stalledAfter = CliOptions.Text("--stalled-after", $"With --cluster: stop watching (exit 1, saying so) once the run has not moved for this long (and {RunStallCheck.StepTimes} of its step times) while no active silo hosts its members (default {ScheduleDuration.Format(RunStallCheck.DefaultStalledAfter)}).", "DURATION");
        command.Options.Add(stalledAfter);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var id = parse.GetValue(runId)!;
            var stalled = StalledAfter(parse.GetValue(stalledAfter));
            if (stalled is not null && !parse.GetValue(where.Cluster))
            {
                throw new UsageException("--stalled-after is for a cluster run (--cluster): on a local folder, watch already says at once when no process runs the run.");
            }

            await using var target = await OpenReadOnlyAsync(parse, where, cancellationToken);
            var watch = Stopwatch.StartNew();
            var status = await target.StatusAsync(id, cancellationToken);
            if (target.Connection is { } connection)
            {
                return await FollowAsync(connection.Grains.GetGrain<IForecastRunGrain>(id), id, connection, output, watch, cancellationToken, parse.GetValue(where.ClusterDirectory)!, stalled);
            }

            // A local folder: whoever runs it (an embedded silo in another process) updates run.json every half second and
            // holds the run's owner lock; a run nobody holds will never move, so say so instead of polling forever.
            var dir = parse.GetValue(where.Output) ?? RunStorage.DefaultDirectory;
            while (!status.IsFinished)
            {
                if (!RunOwnerLock.IsHeld(dir, id) && await target.StatusAsync(id, cancellationToken) is { IsFinished: false } orphaned)
                {
                    parse.InvocationConfiguration.Error.WriteLine(
                        $"graphcast: run {id} is {orphaned.State} at {orphaned.Members.Sum(m => m.Step)}/{orphaned.Spec.Members * orphaned.Spec.Steps} member steps, but no process is running it " +
                        $"(the one that ran it ended before it finished). Continue it with: graphcast resume {id} --output {dir}");
                    return ExitCodes.Failed;
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} {status.State}: {status.Members.Sum(m => m.Step)}/{status.Spec.Members * status.Spec.Steps} member steps"));
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                status = await target.StatusAsync(id, cancellationToken);
            }

            ProgressView.Summary(status, output, watch.Elapsed);
            return status.State == RunState.Completed ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static TimeSpan? StalledAfter(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return ScheduleDuration.Parse(text, "stalled-after");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }
    }

    private static Command Cancel()
    {
        var command = new Command("cancel", "Cancel a run; its members stop after their current step and keep their checkpoints ('graphcast resume' continues it).");
        var runId = RunIdArgument();
        command.Arguments.Add(runId);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(runId)!;
            using var owner = await LocalOwnerAsync(parse, where, id, cancellationToken);
            await using var connection = await OpenAsync(parse, where, cancellationToken);
            await RequireRunAsync(connection.Storage, id, cancellationToken);
            var status = await connection.Grains.GetGrain<IForecastRunGrain>(id).CancelAsync(cancellationToken);
            parse.InvocationConfiguration.Output.WriteLine(status.State == RunState.Cancelled
                ? $"Run {id} cancelled at {status.Members.Sum(m => m.Step)}/{status.Spec.Members * status.Spec.Steps} member steps; 'graphcast resume {id}' continues it from its checkpoints."
                : $"Run {id} had already finished: {status.State}.");
            return 0;
        });
        return command;
    }

    private static Command Replay()
    {
        var command = new Command("replay", "Audit a member: recompute it from a checkpoint (or its initial condition) on a compute silo and check that every chunk it stored is bit-identical. Writes nothing; exit 1 names the first chunk that differs.");
        var runId = RunIdArgument();
        var member = CliOptions.Int("--member", "The member to replay.", 0, min: 0);
        var from = CliOptions.Int("--from-step", "Start from this step's checkpoint (0: from the initial condition).", 0, min: 0);
        command.Arguments.Add(runId);
        command.Options.Add(member);
        command.Options.Add(from);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(runId)!;
            using var owner = await LocalOwnerAsync(parse, where, id, cancellationToken);
            await using var connection = await OpenAsync(parse, where, cancellationToken);
            await RequireRunAsync(connection.Storage, id, cancellationToken);
            var m = parse.GetValue(member);
            var report = await connection.Grains.GetGrain<IMemberReplayGrain>(IEnsembleMemberGrain.Key(id, m)).ReplayAsync(parse.GetValue(from), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            if (report.Identical)
            {
                output.WriteLine(report.ToStep == report.FromStep
                    ? $"Member {m} of run {id} stored no step after step {report.FromStep}: nothing to compare."
                    : $"Member {m} of run {id}: steps {report.FromStep + 1} to {report.ToStep} recomputed, {report.ChunksCompared} chunks bit-identical to the stored ones.");
                return 0;
            }

            output.WriteLine($"Member {m} of run {id} replayed from step {report.FromStep} differs at {report.FirstDifference} ({report.ChunksCompared} chunks compared).");
            return 1;
        });
        return command;
    }

    private static Command Resume()
    {
        var command = new Command("resume", "Continue an unfinished or cancelled run from its members' latest checkpoints, and follow it.");
        var runId = RunIdArgument();
        command.Arguments.Add(runId);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(runId)!;
            using var owner = await LocalOwnerAsync(parse, where, id, cancellationToken);
            await using var connection = await OpenAsync(parse, where, cancellationToken);
            await RequireRunAsync(connection.Storage, id, cancellationToken);
            var run = connection.Grains.GetGrain<IForecastRunGrain>(id);
            var watch = Stopwatch.StartNew();
            await run.ResumeAsync(cancellationToken);
            return await FollowAsync(run, id, connection, parse.InvocationConfiguration.Output, watch, cancellationToken, parse.GetValue(where.ClusterDirectory)!);
        });
        return command;
    }

    /// <summary>The positional run id of a command.</summary>
    public static Argument<string> RunIdArgument() => CliOptions.Required("run id", "RUN", "The run's id; 'graphcast runs' lists them.");

    /// <summary>
    /// Shows live progress until the run finishes, then the summary. On a cluster, Ctrl-C only detaches: the run goes on.
    /// </summary>
    public static async Task<int> FollowAsync(
        IForecastRunGrain run, string runId, IEngineConnection connection, TextWriter output, Stopwatch watch, CancellationToken cancellationToken, string clusterDir, TimeSpan? stalledAfter = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(watch);
        // On a cluster, a run that stops moving while no silo hosts its members is reported instead of followed forever.
        var stall = connection is ClusterConnection cluster ? new RunStallCheck(stalledAfter ?? RunStallCheck.DefaultStalledAfter, cluster.ActiveSiloAddressesAsync) : null;
        RunStatus status;
        try
        {
            status = await ProgressView.WatchAsync(run, output, cancellationToken, stall);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && connection.RunsOutliveClient)
        {
            output.WriteLine($"Detached from run {runId}; it goes on in the cluster. Follow it with: graphcast watch {runId} --cluster{(clusterDir == ClusterProfile.DefaultDirectory ? "" : " --cluster-dir " + clusterDir)}");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM on an embedded run: the run dies with this process, so cancel it properly — members stop after
            // their step, keep their checkpoints, and the manifest says Cancelled — within a bound, so the process exits soon.
            await CancelEmbeddedRunAsync(run, runId, output);
            if (connection is EmbeddedSilo silo)
            {
                silo.StopTimeout = TimeSpan.FromSeconds(3);
            }

            throw;
        }

        ProgressView.Summary(status, output, watch.Elapsed);
        await ProgressView.StatisticsAsync(connection, runId, status, output, cancellationToken);
        return status.State == RunState.Completed ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>How long an interrupted embedded run may take to record that it was cancelled before the process exits anyway.</summary>
    private static readonly TimeSpan CancelBound = TimeSpan.FromSeconds(4);

    private static async Task CancelEmbeddedRunAsync(IForecastRunGrain run, string runId, TextWriter output)
    {
        try
        {
            using var bound = new CancellationTokenSource(CancelBound);
            var cancelled = await run.CancelAsync(bound.Token).WaitAsync(bound.Token);
            output.WriteLine($"Run {runId} {(cancelled.State == RunState.Cancelled ? "cancelled" : cancelled.State.ToString().ToLowerInvariant())} at {cancelled.Members.Sum(m => m.Step)}/{cancelled.Spec.Members * cancelled.Spec.Steps} member steps; 'graphcast resume {runId}' continues it from its checkpoints.");
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            output.WriteLine($"Run {runId} was interrupted before it recorded its cancellation; 'graphcast resume {runId}' continues it from its checkpoints.");
        }
    }

    private static object StatusJson(RunStatus s) => new
    {
        s.RunId,
        s.State,
        s.Spec.Model,
        s.Spec.Members,
        s.Spec.Steps,
        s.Spec.InitTime,
        s.Spec.Seed,
        Perturbation = s.Spec.Perturbation.ToString(),
        s.Spec.InitialCondition,
        s.Spec.CheckpointEvery,
        s.Spec.OutputVariables,
        s.CreatedUtc,
        s.CompletedUtc,
        s.Error,
        s.Waiting,
        s.ForecastLocation,
        s.ModelHash,
        MemberProgress = s.Members.Select(m => new { m.Member, m.Step, m.State, m.Silo, m.LastStepSeconds, m.TotalStepSeconds, m.ResumedFrom, m.Error }),
    };

    /// <summary>
    /// On a local folder, the run's owner lock (a process that runs it elsewhere makes this a one-line refusal naming it;
    /// stopping that process with Ctrl-C or SIGTERM cancels the run cleanly); on a cluster, null.
    /// </summary>
    private static async Task<RunOwnerLock?> LocalOwnerAsync(ParseResult parse, RunsLocation where, string runId, CancellationToken cancellationToken)
    {
        if (parse.GetValue(where.Cluster))
        {
            return null;
        }

        var dir = parse.GetValue(where.Output) ?? RunStorage.DefaultDirectory;
        RequireFolder(dir);
        // The run and its manifest first (a missing or damaged one is refused with nothing written), then the lock.
        await RequireRunAsync(new LocalDirectoryBlobStore(Path.GetFullPath(dir)), runId, cancellationToken);
        return RunOwnerLock.Acquire(dir, runId);
    }

    /// <summary>A connection that runs things: the cluster (<c>--cluster</c>), or an embedded silo on <c>--output DIR</c>.</summary>
    private static async Task<IEngineConnection> OpenAsync(ParseResult parse, RunsLocation where, CancellationToken cancellationToken)
    {
        var dir = parse.GetValue(where.Output) ?? RunStorage.DefaultDirectory;
        if (parse.GetValue(where.Cluster))
        {
            return await ClusterConnection.ConnectAsync(parse.GetValue(where.ClusterDirectory)!, cancellationToken);
        }

        RequireFolder(dir);
        return await EmbeddedSilo.StartAsync(dir, null, cancellationToken);
    }

    /// <summary>Reading only: the cluster's storage and grains (<c>--cluster</c>), or the local folder without starting a silo.</summary>
    private static async Task<ReadTarget> OpenReadOnlyAsync(ParseResult parse, RunsLocation where, CancellationToken cancellationToken)
    {
        var dir = parse.GetValue(where.Output) ?? RunStorage.DefaultDirectory;
        if (parse.GetValue(where.Cluster))
        {
            var connection = await ClusterConnection.ConnectAsync(parse.GetValue(where.ClusterDirectory)!, cancellationToken);
            return new ReadTarget(connection.Storage, connection);
        }

        RequireFolder(dir);
        return new ReadTarget(new LocalDirectoryBlobStore(Path.GetFullPath(dir)), null);
    }

    private static void RequireFolder(string dir)
    {
        if (!Directory.Exists(dir))
        {
            throw new UsageException($"No runs folder at {Path.GetFullPath(dir)}. Give the folder a forecast wrote to with --output DIR, or add --cluster for a cluster's runs.");
        }
    }

    private static async Task RequireRunAsync(IBlobStore storage, string runId, CancellationToken cancellationToken)
    {
        ValidRunId(runId);
        var (status, _) = await new RunManifestStore(storage).ReadAsync(runId, cancellationToken);
        if (status is null)
        {
            throw new UsageException($"There is no run '{runId}' in {storage.Location}. 'graphcast runs' lists the runs there.");
        }
    }

    private static void ValidRunId(string runId)
    {
        try
        {
            RunLayout.ValidateRunId(runId);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }
    }

    /// <summary>Where status comes from: a cluster's run grain (live), or a folder's run.json.</summary>
    private sealed class ReadTarget(IBlobStore storage, IEngineConnection? connection) : IAsyncDisposable
    {
        public IBlobStore Storage { get; } = storage;

        public IEngineConnection? Connection { get; } = connection;

        public async Task<RunStatus> StatusAsync(string runId, CancellationToken cancellationToken)
        {
            ValidRunId(runId);
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
