using System.CommandLine;
using System.Globalization;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Schedules;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast schedule add|list|show|history|pause|resume|trigger|backfill|remove|pin</c>: operational forecast cycles
/// (docs/schedules.md). Changes go through the schedule's grain — on a cluster (<c>--cluster</c>), or on the
/// <c>graphcast serve</c> that ticks a local store (<c>--output DIR</c>); <c>list</c>, <c>show</c> and <c>history</c> read the
/// stored records, like <c>runs</c>. Every option is checked before anything is stored: bad input is one line.
/// </summary>
public static class ScheduleCommands
{
    public static Command Create()
    {
        var command = new Command("schedule", "Operational forecast cycles: a run per cycle of a cron expression, optionally once the cycle's data has arrived (docs/schedules.md).");
        foreach (var sub in new[] { Add(), List(), Show(), History(), Pause(), Resume(), Trigger(), Backfill(), Remove(), Pin() })
        {
            command.Subcommands.Add(sub);
        }

        return command;
    }

    private static Command Add()
    {
        var command = new Command("add", "Define a schedule: its cron expression, the run each cycle starts (every 'forecast' option), its data trigger, catch-up, concurrency and retention. Nothing is stored if any option is wrong.");
        var name = NameArgument();
        command.Arguments.Add(name);
        var cron = CliOptions.Text("--cron", "Five fields 'minute hour day-of-month month day-of-week' (e.g. '0 0,6,12,18 * * *'), or @hourly, @daily …", "EXPR");
        cron.Required = true;
        var zone = new Option<string?>("--zone", "--time-zone") { Description = "The IANA time zone the cron expression is read in (default UTC); cycle times are UTC instants.", HelpName = "TZ" };
        var preset = CliOptions.Text("--preset", $"The model: one of {string.Join(", ", Presets.All.Select(p => p.Name))} (default demo).", "NAME");
        preset.CompletionSources.Add(_ => Presets.All.Select(p => p.Name));
        var checkpoint = CliOptions.Text("--checkpoint", "Model weights (.npz) by file name, loaded from the silos' Models:WeightsDirectory.", "FILE.npz");
        var members = CliOptions.Text("--members", "Ensemble members per cycle (default 4).", "N");
        var steps = CliOptions.Text("--steps", "Steps of 6 h per cycle (default 8).", "N");
        var seed = CliOptions.Text("--seed", "Each cycle's run seed (default 0).", "N");
        var perturb = CliOptions.Text("--perturb", "none, gaussian:AMP or correlated:AMP:LENGTH_KM (default gaussian:0.05).", "SPEC");
        var every = CliOptions.Text("--checkpoint-every", "A member's rollout checkpoint every K steps (default 1).", "K");
        var variables = CliOptions.Text("--variables", "Output variables, comma-separated (default: everything the model predicts).", "a,b,...");
        var init = CliOptions.Text("--init", "'analytic' (default), or a data trigger: a blob name of the store or an absolute path on the silo's machine with the cycle time in it, e.g. 'ifs/{cycle:yyyyMMddHH}.grib'.", "PATTERN");
        var fill = CliOptions.Text("--fill", "With --init PATTERN: none, interpolate, analytic or interpolate,analytic (as forecast's --fill).", "POLICY");
        var poll = CliOptions.Text("--poll", "With --init PATTERN: how often a waiting cycle looks for its data (default 30s).", "DURATION");
        var maxWait = CliOptions.Text("--max-wait", "With --init PATTERN: how long a cycle waits for its data (default the cycle interval).", "DURATION");
        var fallback = CliOptions.Text("--fallback", "With --init PATTERN, after --max-wait: none (Missed) or previous (warm start from the previous cycle's forecast).", "none|previous");
        var catchUp = CliOptions.Text("--catch-up", "Cycles found late (downtime, pause): none, latest (default) or all.", "none|latest|all");
        var maxCatchUp = CliOptions.Text("--max-catch-up", "With --catch-up all: the most recent N late cycles start (default 4).", "N");
        var expire = CliOptions.Text("--expire", "A scheduled cycle older than this is never started (default never).", "DURATION");
        var maxActive = CliOptions.Text("--max-active", "Cycles waiting for data, starting or running at once (default 1).", "N");
        var keep = CliOptions.Text("--keep", "Keep the forecasts of the newest N cycles (default all).", "N");
        var json = JsonFlag("Print the stored schedule as JSON (as 'schedule show --json').");
        var compression = CliOptions.Text("--compression", "Lossless codec of the forecasts' Zarr chunks: none, zlib[:1-9] or zstd[:1-22] (default zstd:3).", "CODEC");
        foreach (var option in new Option[] { cron, zone, preset, checkpoint, members, steps, seed, perturb, compression, every, variables, init, fill, poll, maxWait, fallback, catchUp, maxCatchUp, expire, maxActive, keep, json })
        {
            command.Options.Add(option);
        }

        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            var request = new ScheduleRequest
            {
                Name = scheduleName,
                Cron = parse.GetValue(cron)!,
                TimeZone = parse.GetValue(zone),
                Preset = parse.GetValue(preset),
                Model = parse.GetValue(checkpoint) is { } file ? "checkpoint:" + Path.GetFileName(file) : null,
                Members = parse.GetValue(members),
                Steps = parse.GetValue(steps),
                Seed = parse.GetValue(seed),
                Perturb = parse.GetValue(perturb),
                Compression = parse.GetValue(compression),
                CheckpointEvery = parse.GetValue(every),
                Variables = parse.GetValue(variables),
                Init = parse.GetValue(init),
                Fill = parse.GetValue(fill),
                Poll = parse.GetValue(poll),
                MaxWait = parse.GetValue(maxWait),
                Fallback = parse.GetValue(fallback),
                CatchUp = parse.GetValue(catchUp),
                MaxCatchUp = parse.GetValue(maxCatchUp),
                Expire = parse.GetValue(expire),
                MaxActive = parse.GetValue(maxActive),
                Keep = parse.GetValue(keep),
            };
            var definition = Checked(() => request.ToDefinition(DateTime.UtcNow));
            await using var connection = await ConnectAsync(parse, where, "schedule add", cancellationToken);
            var view = await CallAsync(() => connection.Grains.GetGrain<IForecastScheduleGrain>(scheduleName).AddAsync(definition, cancellationToken));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, ViewJson(view));
                return ExitCodes.Success;
            }

            output.WriteLine($"Schedule {scheduleName} added.");
            PrintView(view, output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the schedules of the store: name, cron, state, run template, next due cycle and the newest cycle's state.");
        var json = JsonFlag("Print the schedules as a JSON array.");
        command.Options.Add(json);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var storage = await where.Storage(parse, "schedule list")(cancellationToken);
            var store = new ScheduleStore(storage.Store);
            var views = new List<ScheduleView>();
            foreach (var scheduleName in await store.ListAsync(cancellationToken))
            {
                if (await ReadViewAsync(store, scheduleName, 1, cancellationToken) is { } view)
                {
                    views.Add(view);
                }
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, views.Select(v => new
                {
                    v.Schedule.Name,
                    v.Schedule.Definition.Cron,
                    v.Schedule.Definition.TimeZone,
                    v.Schedule.Paused,
                    v.Schedule.Definition.Template.Model,
                    v.Schedule.Definition.Template.Members,
                    v.Schedule.Definition.Template.Steps,
                    v.Schedule.Definition.Init,
                    NextDue = v.NextDueUtc,
                    LastCycle = v.Cycles.Count > 0 ? CycleJson(v.Cycles[0]) : null,
                }));
                return ExitCodes.Success;
            }

            if (views.Count == 0)
            {
                output.WriteLine($"No schedules in {storage.Description}.");
                return ExitCodes.Success;
            }

            output.WriteLine("schedule                  cron                    state    model       members×steps  next due (UTC)     last cycle");
            foreach (var v in views)
            {
                var d = v.Schedule.Definition;
                var last = v.Cycles.Count > 0 ? $"{Iso(v.Cycles[0].CycleTime)} {Label(v.Cycles[0].State)}" : "none yet";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{d.Name,-25} {CronText(d),-23} {(v.Schedule.Paused ? "paused" : "active"),-8} {d.Template.Model,-11} {$"{d.Template.Members}×{d.Template.Steps}",-14} {(v.NextDueUtc is { } n ? Iso(n) : "-"),-18} {last}"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Show a schedule: its definition, next due cycle, and each recent cycle's state, latency (due → started → completed) and run id.");
        var name = NameArgument();
        var recent = CliOptions.Int("--recent", "How many recent cycles to show.", 10, min: 0);
        var json = JsonFlag("Print the schedule, its next due cycle and its recent cycles as JSON.");
        command.Arguments.Add(name);
        command.Options.Add(recent);
        command.Options.Add(json);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            var storage = await where.Storage(parse, "schedule show")(cancellationToken);
            var view = await ReadViewAsync(new ScheduleStore(storage.Store), scheduleName, parse.GetValue(recent), cancellationToken)
                ?? throw NotFound(scheduleName, storage);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, ViewJson(view));
            }
            else
            {
                PrintView(view, output);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History()
    {
        var command = new Command("history", "Every cycle of a schedule, newest first: state, origin, latency (due → started → completed), run id and reason.");
        var name = NameArgument();
        var limit = CliOptions.Int("--limit", "At most this many cycles.", 1000, min: 1);
        var json = JsonFlag("Print every cycle's record as JSON (with its latencies in seconds).");
        command.Arguments.Add(name);
        command.Options.Add(limit);
        command.Options.Add(json);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            var storage = await where.Storage(parse, "schedule history")(cancellationToken);
            var store = new ScheduleStore(storage.Store);
            if ((await store.ReadAsync(scheduleName, cancellationToken)).Schedule is null)
            {
                throw NotFound(scheduleName, storage);
            }

            var cycles = await store.ReadNewestCyclesAsync(scheduleName, parse.GetValue(limit), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, cycles.Select(CycleJson));
                return ExitCodes.Success;
            }

            if (cycles.Count == 0)
            {
                output.WriteLine($"Schedule {scheduleName} has no cycles yet.");
                return ExitCodes.Success;
            }

            PrintCycles(cycles, output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Pause() => Control("pause", "Stop new cycles of a schedule from falling due (cycles already started carry on).", (g, ct) => g.PauseAsync(ct), "paused");

    private static Command Resume() => Control("resume", "Let cycles fall due again; those that fell due while paused are handled by the catch-up policy.", (g, ct) => g.ResumeAsync(ct), "resumed");

    private static Command Control(string verb, string description, Func<IForecastScheduleGrain, CancellationToken, Task<ScheduleView>> call, string done)
    {
        var command = new Command(verb, description);
        var name = NameArgument();
        command.Arguments.Add(name);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            await using var connection = await ConnectAsync(parse, where, "schedule " + verb, cancellationToken);
            var view = await CallAsync(() => call(connection.Grains.GetGrain<IForecastScheduleGrain>(scheduleName), cancellationToken));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"Schedule {scheduleName} {done}; next due: {(view.NextDueUtc is { } n ? Iso(n) : "none while paused")}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Trigger()
    {
        var command = new Command("trigger", "Start a cycle now, ahead of the queue (it still waits for its data): the latest due one, or --cycle T. A Missed, Expired or Skipped cycle is re-armed, a Failed one's run resumed.");
        var name = NameArgument();
        var cycle = CliOptions.Time("--cycle", "The cycle time (UTC), a time of the cron expression at or before now (default the latest due one).");
        command.Arguments.Add(name);
        command.Options.Add(cycle);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            await using var connection = await ConnectAsync(parse, where, "schedule trigger", cancellationToken);
            var record = await CallAsync(() => connection.Grains.GetGrain<IForecastScheduleGrain>(scheduleName).TriggerAsync(parse.GetValue(cycle), cancellationToken));
            parse.InvocationConfiguration.Output.WriteLine(
                $"Cycle {Iso(record.CycleTime)} of {scheduleName}: {Label(record.State)}, run {record.RunId}{(record.Reason is { } r ? $" ({r})" : "")}. Follow it with 'graphcast schedule show {scheduleName}'.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Backfill()
    {
        var command = new Command("backfill", "Queue every cycle from --from to --to (both included, in the past) behind scheduled cycles, run --max-active at a time: a hindcast or reforecast campaign.");
        var name = NameArgument();
        var from = CliOptions.Time("--from", "The first cycle time (UTC).");
        var to = CliOptions.Time("--to", "The last cycle time (UTC).");
        from.Required = true;
        to.Required = true;
        command.Arguments.Add(name);
        command.Options.Add(from);
        command.Options.Add(to);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            await using var connection = await ConnectAsync(parse, where, "schedule backfill", cancellationToken);
            var range = await CallAsync(() => connection.Grains.GetGrain<IForecastScheduleGrain>(scheduleName).BackfillAsync(parse.GetValue(from)!.Value, parse.GetValue(to)!.Value, cancellationToken));
            parse.InvocationConfiguration.Output.WriteLine(
                $"Backfill of {scheduleName}: {range.Cycles} cycle(s) from {Iso(range.FromUtc)} to {Iso(range.ToUtc)} queued; progress per cycle: 'graphcast schedule show {scheduleName} --recent {range.Cycles}'.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var command = new Command("remove", "Delete a schedule and its cycle records, and its cycles' finished runs unless --keep-runs (running and pinned runs are kept and listed).");
        var name = NameArgument();
        var keepRuns = CliOptions.Flag("--keep-runs", "Leave the cycles' runs in the store.");
        command.Arguments.Add(name);
        command.Options.Add(keepRuns);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            await using var connection = await ConnectAsync(parse, where, "schedule remove", cancellationToken);
            var removal = await CallAsync(() => connection.Grains.GetGrain<IForecastScheduleGrain>(scheduleName).RemoveAsync(parse.GetValue(keepRuns), cancellationToken));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"Schedule {scheduleName} removed: {removal.CyclesRemoved} cycle record(s), {removal.DeletedRuns.Count} run(s) deleted, {removal.KeptRuns.Count} kept.");
            foreach (var kept in removal.KeptRuns)
            {
                output.WriteLine("  kept " + kept);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Pin()
    {
        var command = new Command("pin", "Keep one cycle's run for good (retention never deletes it), or release it with --unpin.");
        var name = NameArgument();
        var cycle = CliOptions.Time("--cycle", "The cycle time (UTC).");
        cycle.Required = true;
        var unpin = CliOptions.Flag("--unpin", "Release the pin: retention may delete the run again.");
        command.Arguments.Add(name);
        command.Options.Add(cycle);
        command.Options.Add(unpin);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scheduleName = ValidName(parse.GetValue(name)!);
            var t = parse.GetValue(cycle)!.Value;
            await using var connection = await ConnectAsync(parse, where, "schedule pin", cancellationToken);
            var view = await CallAsync(() => connection.Grains.GetGrain<IForecastScheduleGrain>(scheduleName).PinAsync(t, !parse.GetValue(unpin), cancellationToken));
            parse.InvocationConfiguration.Output.WriteLine(
                $"Cycle {Iso(t)} of {scheduleName} {(parse.GetValue(unpin) ? "unpinned" : "pinned")}; pinned cycles: {(view.Schedule.Pinned.Count == 0 ? "none" : string.Join(", ", view.Schedule.Pinned.Order().Select(p => Iso(p))))}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Argument<string> NameArgument() =>
        CliOptions.Required("schedule name", "NAME", "The schedule's name: 1 to 114 letters, digits, '.', '_' or '-' ('graphcast schedule list' lists them).");

    private static Option<bool> JsonFlag(string description) => CliOptions.Flag("--json", description);

    private static string ValidName(string name)
    {
        Checked(() =>
        {
            ScheduleLayout.ValidateName(name);
            return 0;
        });
        return name;
    }

    /// <summary>Runs a check whose <see cref="ArgumentException"/> is the user's mistake: one line, exit code 2.</summary>
    private static T Checked<T>(Func<T> check)
    {
        try
        {
            return check();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }
    }

    /// <summary>A grain call whose refusals (a bad template, cycle or range; no such schedule) are one line, exit code 2.</summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }
    }

    /// <summary>
    /// The grains that keep the schedules: the cluster's (<c>--cluster</c>), or those of the <c>graphcast serve</c> running
    /// on the local store (<c>--output DIR</c>). A short-lived silo of this command would tick the schedule and start cycles
    /// that stop with it, so a local store without a <c>serve</c> is refused with the command to start one.
    /// </summary>
    private static async Task<IEngineConnection> ConnectAsync(ParseResult parse, RunsLocation where, string command, CancellationToken cancellationToken)
    {
        var cluster = parse.GetValue(where.Cluster);
        var dir = parse.GetValue(where.Output);
        _ = RunStorage.From(cluster, parse.GetValue(where.ClusterDirectory)!, dir, command);
        if (cluster)
        {
            return await ClusterConnection.ConnectAsync(parse.GetValue(where.ClusterDirectory)!, cancellationToken);
        }

        dir ??= RunStorage.DefaultDirectory;
        var profile = ServeProfile.FindRunning(dir) ?? throw new UsageException(
            $"No 'graphcast serve' runs on {Path.GetFullPath(dir)}: a local store's schedules are kept by the silo that ticks them. " +
            $"Start one with 'graphcast serve --output {dir}' (it stays up until Ctrl-C), then run this again; or add --cluster.");
        return await ClusterConnection.ConnectAsync(profile, cancellationToken, TimeSpan.FromSeconds(10));
    }

    /// <summary>What <c>IForecastScheduleGrain.ShowAsync</c> returns, from the stored records and this machine's clock.</summary>
    private static Task<ScheduleView?> ReadViewAsync(ScheduleStore store, string name, int recent, CancellationToken cancellationToken) =>
        store.ReadViewAsync(name, recent, DateTime.UtcNow, cancellationToken);

    private static UsageException NotFound(string name, RunStorage storage) =>
        new($"There is no schedule '{name}' in {storage.Description}. Add it with 'graphcast schedule add {name} --cron …', or list them with 'graphcast schedule list'.");

    private static void PrintView(ScheduleView view, TextWriter output)
    {
        var s = view.Schedule;
        var d = s.Definition;
        var t = d.Template;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Schedule {d.Name}: cron '{CronText(d)}'{(s.Paused ? ", paused" : "")}; runs {t.Model}, {t.Members} members × {t.Steps} steps, perturbation {t.Perturbation}, seed {t.Seed}"));
        output.WriteLine(d.HasDataTrigger
            ? $"  data: {d.Init} (fill {d.Fill}), poll {ScheduleDuration.Format(d.Poll)}, max-wait {ScheduleDuration.Format(d.MaxWait)}, fallback {d.Fallback.ToString().ToLowerInvariant()}"
            : "  data: analytic (no trigger)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  catch-up {d.CatchUp.ToString().ToLowerInvariant()}{(d.CatchUp == CatchUpPolicy.All ? $" (max {d.MaxCatchUp})" : "")}, expire {(d.Expire is { } e ? ScheduleDuration.Format(e) : "never")}, max-active {d.MaxActive}, keep {(d.Keep is { } k ? k.ToString(CultureInfo.InvariantCulture) : "all")}{(s.Pinned.Count > 0 ? $", pinned {string.Join(", ", s.Pinned.Order().Select(p => Iso(p)))}" : "")}"));
        output.WriteLine(view.NextDueUtc is { } next
            ? $"Next due: {Iso(next)} (in {Span(next - view.NowUtc)})"
            : "Next due: none while paused ('graphcast schedule resume " + d.Name + "')");
        if (view.Cycles.Count == 0)
        {
            output.WriteLine("No cycles yet.");
            return;
        }

        PrintCycles(view.Cycles, output);
    }

    private static void PrintCycles(IEnumerable<CycleRecord> cycles, TextWriter output)
    {
        output.WriteLine("cycle (UTC)        state             origin     due → started   → completed   run id                              reason");
        foreach (var c in cycles)
        {
            var (started, completed) = Latency(c);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Iso(c.CycleTime),-18} {Label(c.State),-17} {c.Origin,-10} {(started is { } a ? "+" + Span(a) : "-"),-15} {(completed is { } b ? "+" + Span(b) : "-"),-13} {c.RunId,-35} {Notes(c)}").TrimEnd());
        }
    }

    private static string Notes(CycleRecord c)
    {
        var notes = new List<string>();
        if (c.WarmStart)
        {
            notes.Add("warm start: " + c.DataSource);
        }

        if (c.State == CycleState.WaitingForData && c.Polls > 0)
        {
            notes.Add($"{c.Polls} poll(s)");
        }

        if (c.Reason is { } reason)
        {
            notes.Add(reason);
        }

        if (c.RunDeleted)
        {
            notes.Add("run deleted (retention)");
        }

        return string.Join("; ", notes);
    }

    /// <summary>
    /// Due → submitted and submitted → completed. A scheduled cycle is due at its cycle time; a triggered or backfilled one
    /// when it was asked for (its record's creation).
    /// </summary>
    private static (TimeSpan? Started, TimeSpan? Completed) Latency(CycleRecord c)
    {
        var due = Due(c);
        return (c.SubmittedUtc - due, c.CompletedUtc - c.SubmittedUtc);
    }

    private static DateTime Due(CycleRecord c) => c.Origin == CycleOrigin.Scheduled ? c.CycleTime : c.CreatedUtc;

    private static object ViewJson(ScheduleView v) => new
    {
        v.Schedule.Name,
        v.Schedule.Definition.Cron,
        v.Schedule.Definition.TimeZone,
        v.Schedule.Paused,
        v.Schedule.Pinned,
        Template = new
        {
            v.Schedule.Definition.Template.Model,
            v.Schedule.Definition.Template.Members,
            v.Schedule.Definition.Template.Steps,
            v.Schedule.Definition.Template.Seed,
            Perturbation = v.Schedule.Definition.Template.Perturbation.ToString(),
            v.Schedule.Definition.Template.CheckpointEvery,
            v.Schedule.Definition.Template.OutputVariables,
        },
        v.Schedule.Definition.Init,
        v.Schedule.Definition.Fill,
        PollSeconds = v.Schedule.Definition.Poll.TotalSeconds,
        MaxWaitSeconds = v.Schedule.Definition.MaxWait.TotalSeconds,
        v.Schedule.Definition.Fallback,
        v.Schedule.Definition.CatchUp,
        v.Schedule.Definition.MaxCatchUp,
        ExpireSeconds = v.Schedule.Definition.Expire?.TotalSeconds,
        v.Schedule.Definition.MaxActive,
        v.Schedule.Definition.Keep,
        v.Schedule.Definition.CreatedUtc,
        v.Schedule.Backfills,
        NextDue = v.NextDueUtc,
        Now = v.NowUtc,
        Cycles = v.Cycles.Select(CycleJson),
    };

    private static object CycleJson(CycleRecord c)
    {
        var (started, completed) = Latency(c);
        return new
        {
            c.CycleTime,
            c.State,
            c.Origin,
            c.RunId,
            DueUtc = Due(c),
            c.CreatedUtc,
            c.WaitingSinceUtc,
            c.Polls,
            c.DataArrivedUtc,
            c.DataSource,
            c.InitialCondition,
            c.WarmStart,
            c.SubmittedUtc,
            c.CompletedUtc,
            DueToStartedSeconds = started?.TotalSeconds,
            StartedToCompletedSeconds = completed?.TotalSeconds,
            c.Reason,
            c.RunDeleted,
            c.CheckpointsPruned,
        };
    }

    private static string CronText(ScheduleDefinition d) => d.TimeZone == "UTC" ? d.Cron : $"{d.Cron} ({d.TimeZone})";

    private static string Label(CycleState state) => state switch
    {
        CycleState.WaitingForData => "Waiting for data",
        _ => state.ToString(),
    };

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan t) =>
        t.TotalSeconds < 120 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s")
        : t.TotalMinutes < 120 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.0} min")
        : t.TotalHours < 48 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0.0} h")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalDays:0.0} d");
}
