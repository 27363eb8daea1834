using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Grains.Schedules;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// A forecast schedule (key: its name): stores its definition, is ticked by a durable reminder (every
/// <see cref="ScheduleOptions.TickPeriod"/>), a one-shot timer at the next due time and a short timer while a cycle is under
/// way, and on every tick reconciles from storage and the clock (<see cref="ScheduleReconciler"/>). Its state is in blob
/// storage only, so an activation on any silo carries on where the last one stopped.
/// </summary>
public sealed partial class ForecastScheduleGrain(
    ScheduleStore store,
    CycleInitialConditions data,
    RunDeletion deletion,
    ModelRegistry registry,
    ScheduleClock clock,
    IOptions<ScheduleOptions> options,
    ILogger<ForecastScheduleGrain> logger) : Grain, IForecastScheduleGrain, IRemindable
{
    public const string ReminderName = "schedule-tick";

    private ScheduleReconciler? _reconciler;
    private IGrainTimer? _timer;

    private string Name => this.GetPrimaryKeyString();

    private ScheduleReconciler Reconciler => _reconciler ??= new ScheduleReconciler(Name, store, GrainFactory, data, deletion, clock, options.Value, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ScheduleLayout.ValidateName(Name);
        if ((await store.ReadAsync(Name, cancellationToken)).Schedule is not null)
        {
            // In-memory reminders are lost with their silo; an activation (the sweep's, or a call's) puts it back.
            await this.RegisterOrUpdateReminder(ReminderName, options.Value.TickPeriod, options.Value.TickPeriod);
        }
    }

    public async Task<ScheduleView> AddAsync(ScheduleDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Name != Name)
        {
            throw new ArgumentException($"The definition's name '{definition.Name}' differs from the schedule grain's '{Name}'.");
        }

        var now = clock.UtcNow;
        ScheduleRequest.Check(definition, now);
        // The run template as a cycle's spec, checked as 'graphcast forecast' checks a submission (same messages).
        var cron = ScheduleCron.Parse(definition.Cron, definition.TimeZone);
        var sample = cron.Next(now) ?? now;
        ForecastRunGrain.Validate(definition.Template with { RunId = ScheduleLayout.RunId(Name, sample), InitTime = sample }, registry);
        var created = definition with { CreatedUtc = now };
        if (!await store.TryCreateAsync(new ScheduleRecord { Definition = created }, cancellationToken))
        {
            var (existing, _) = await store.ReadAsync(Name, cancellationToken);
            if (existing is null || existing.Definition with { CreatedUtc = default } != definition with { CreatedUtc = default })
            {
                throw new ArgumentException($"Schedule '{Name}' already exists with a different definition. Remove it first ('graphcast schedule remove {Name}'), or pick another name.");
            }
        }
        else
        {
            LogAdded(Name, definition.Cron, definition.TimeZone, definition.Init);
        }

        Reconciler.Forget();
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.TickPeriod, options.Value.TickPeriod);
        await TickCoreAsync(cancellationToken);
        return (await ShowAsync(10, cancellationToken))!;
    }

    public Task<ScheduleView?> ShowAsync(int recent = 10, CancellationToken cancellationToken = default) =>
        store.ReadViewAsync(Name, recent, clock.UtcNow, cancellationToken);

    public async Task<IReadOnlyList<CycleRecord>> HistoryAsync(int limit = 1000, CancellationToken cancellationToken = default) =>
        await store.ReadNewestCyclesAsync(Name, limit, cancellationToken);

    public Task<ScheduleView> PauseAsync(CancellationToken cancellationToken = default) =>
        ChangeAsync(s => s with { Paused = true }, cancellationToken);

    public Task<ScheduleView> ResumeAsync(CancellationToken cancellationToken = default) =>
        ChangeAsync(s => s with { Paused = false }, cancellationToken);

    public async Task<CycleRecord> TriggerAsync(DateTime? cycleTime = null, CancellationToken cancellationToken = default)
    {
        var schedule = await RequireAsync(cancellationToken);
        var definition = schedule.Definition;
        var cron = ScheduleCron.Parse(definition.Cron, definition.TimeZone);
        var now = clock.UtcNow;
        var t = cycleTime ?? cron.LatestAtOrBefore(now)
            ?? throw new ArgumentException($"Schedule '{Name}' has no cycle at or before now; give --cycle.");
        if (t.Kind != DateTimeKind.Utc || !cron.IsCycle(t))
        {
            throw new ArgumentException(
                $"{Iso(t)} is not a cycle of schedule '{Name}' ({cron}); the nearest are {Iso(cron.LatestAtOrBefore(t))} and {Iso(cron.Next(t))}.");
        }

        if (t > now)
        {
            throw new ArgumentException($"Cycle {Iso(t)} of schedule '{Name}' is in the future (now {Iso(now)}); it starts by itself when due.");
        }

        var record = await Reconciler.TriggerAsync(definition, t, cancellationToken);
        await TickCoreAsync(cancellationToken);
        return record;
    }

    public async Task<BackfillRange> BackfillAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken = default)
    {
        var schedule = await RequireAsync(cancellationToken);
        var now = clock.UtcNow;
        if (fromUtc.Kind != DateTimeKind.Utc || toUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("--from and --to are UTC times (e.g. 2024-05-01T00:00Z).");
        }

        if (fromUtc > toUtc)
        {
            throw new ArgumentException($"--from {Iso(fromUtc)} is after --to {Iso(toUtc)}; give the earlier time first.");
        }

        if (toUtc > now)
        {
            throw new ArgumentException($"--to {Iso(toUtc)} is in the future (now {Iso(now)}): a backfill reruns past cycles; future ones start by themselves.");
        }

        var cron = ScheduleCron.Parse(schedule.Definition.Cron, schedule.Definition.TimeZone);
        var count = cron.Within(fromUtc, toUtc).Take(CyclePlanner.MaxBackfillCycles + 1).Count();
        if (count == 0)
        {
            throw new ArgumentException($"No cycle of schedule '{Name}' ({cron}) falls from {Iso(fromUtc)} to {Iso(toUtc)}.");
        }

        if (count > CyclePlanner.MaxBackfillCycles)
        {
            throw new ArgumentException($"{Iso(fromUtc)} to {Iso(toUtc)} holds more than {CyclePlanner.MaxBackfillCycles} cycles of schedule '{Name}'; backfill it in parts.");
        }

        var range = new BackfillRange { FromUtc = fromUtc, ToUtc = toUtc, RequestedUtc = now, Cycles = count };
        await ChangeAsync(s => s with { Backfills = [.. s.Backfills, range] }, cancellationToken);
        return range;
    }

    public Task<ScheduleView> PinAsync(DateTime cycleTime, bool pinned = true, CancellationToken cancellationToken = default)
    {
        ScheduleLayout.RequireCycleTime(cycleTime);
        return ChangeAsync(s => s with
        {
            Pinned = pinned ? [.. s.Pinned.Where(p => p != cycleTime), cycleTime] : [.. s.Pinned.Where(p => p != cycleTime)],
        }, cancellationToken);
    }

    public async Task<ScheduleRemoval> RemoveAsync(bool keepRuns, CancellationToken cancellationToken = default)
    {
        var schedule = await RequireAsync(cancellationToken);
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        StopTimer();
        var deleted = new List<string>();
        var kept = new List<string>();
        foreach (var t in await store.ListCyclesAsync(Name, cancellationToken))
        {
            var (cycle, _) = await store.ReadCycleAsync(Name, t, cancellationToken);
            if (cycle is not { SubmittedUtc: not null, RunDeleted: false })
            {
                continue;
            }

            if (keepRuns)
            {
                kept.Add($"{cycle.RunId}: --keep-runs");
            }
            else if (schedule.Pinned.Contains(t))
            {
                kept.Add($"{cycle.RunId}: pinned");
            }
            else if (await deletion.DeleteFinishedAsync(cycle.RunId, cancellationToken) is null)
            {
                kept.Add($"{cycle.RunId}: still running (cancel it with 'graphcast cancel {cycle.RunId}', then delete it)");
            }
            else
            {
                deleted.Add(cycle.RunId);
            }
        }

        var removed = await store.DeleteAsync(Name, cancellationToken);
        Reconciler.Forget();
        LogRemoved(Name, removed, deleted.Count, kept.Count);
        DeactivateOnIdle();
        return new ScheduleRemoval { CyclesRemoved = removed, DeletedRuns = deleted, KeptRuns = kept };
    }

    public async Task<bool> TickAsync(CancellationToken cancellationToken = default) => (await TickCoreAsync(cancellationToken)).Exists;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReminderName && !(await TickCoreAsync(CancellationToken.None)).Exists && await this.GetReminder(ReminderName) is { } reminder)
        {
            // The schedule was removed while its reminder lived on: stop ticking.
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task<ReconcileOutcome> TickCoreAsync(CancellationToken cancellationToken)
    {
        var outcome = await Reconciler.ReconcileAsync(cancellationToken);
        var now = clock.UtcNow;
        var o = options.Value;
        if (outcome.Busy)
        {
            SetTimer(o.BusyTickInterval, o.BusyTickInterval);
        }
        else if (outcome.NextDueUtc is { } next && next - now < o.TickPeriod)
        {
            // Meet the next cycle at its due time rather than up to a reminder period later.
            SetTimer(next - now + TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        }
        else
        {
            StopTimer();
        }

        return outcome;
    }

    private void SetTimer(TimeSpan due, TimeSpan period)
    {
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(async ct => await TickCoreAsync(ct), new GrainTimerCreationOptions(due, period));
        }
        else
        {
            _timer.Change(due, period);
        }
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task<ScheduleView> ChangeAsync(Func<ScheduleRecord, ScheduleRecord> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (schedule, etag) = await store.ReadAsync(Name, cancellationToken);
            if (schedule is null)
            {
                throw NotFound();
            }

            try
            {
                await store.UpdateAsync(change(schedule), etag!, cancellationToken);
                break;
            }
            catch (BlobETagMismatchException) when (attempt < 3)
            {
                // Changed meanwhile (another control call through another activation): apply ours to the newer version.
            }
        }

        await TickCoreAsync(cancellationToken);
        return (await ShowAsync(10, cancellationToken))!;
    }

    private async Task<ScheduleRecord> RequireAsync(CancellationToken cancellationToken) =>
        (await store.ReadAsync(Name, cancellationToken)).Schedule ?? throw NotFound();

    private KeyNotFoundException NotFound() =>
        new($"There is no schedule '{Name}'. Add it with 'graphcast schedule add {Name} --cron …', or list them with 'graphcast schedule list'.");

    private static string Iso(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture) : "none";

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} added: cron '{Cron}' ({TimeZone}), init {Init}")]
    private partial void LogAdded(string schedule, string cron, string timeZone, string init);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} removed: {Cycles} cycle records, {Deleted} runs deleted, {Kept} kept")]
    private partial void LogRemoved(string schedule, int cycles, int deleted, int kept);
}
