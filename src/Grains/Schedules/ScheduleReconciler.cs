using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Grains.Schedules;

/// <summary>
/// One reconciliation of a schedule from storage and the clock: create the records of cycles that fell due (or were
/// backfilled), move each active cycle on (look for its data, submit its run, follow it to its end), admit queued cycles
/// under <c>max-active</c>, and apply retention. Every change is an optimistic write of a cycle record, and a cycle's run is
/// submitted only after its record names the run's initial condition; so two reconcilers racing (a doubled tick, two
/// activations during a failover) start each cycle's run once, and a reconciler killed anywhere is repaired by the next.
/// </summary>
/// <remarks>
/// It caches the cycle records it has read (one listing per activation); afterwards it re-reads only the active ones each
/// tick, and learns of records another reconciler created when its own create-only write of the same cycle is refused.
/// </remarks>
public sealed partial class ScheduleReconciler(
    string name,
    ScheduleStore store,
    IGrainFactory grains,
    CycleInitialConditions data,
    RunDeletion deletion,
    ScheduleClock clock,
    ScheduleOptions options,
    ILogger logger)
{
    private readonly Dictionary<DateTime, (CycleRecord Record, string ETag)> _cycles = [];
    private bool _loaded;

    public string Name => name;

    /// <summary>The cycle records as this reconciler last read or wrote them, by cycle time.</summary>
    public IReadOnlyDictionary<DateTime, CycleRecord> Records => _cycles.ToDictionary(c => c.Key, c => c.Value.Record);

    /// <summary>Forgets the cached records (the schedule was removed or replaced).</summary>
    public void Forget()
    {
        _cycles.Clear();
        _loaded = false;
    }

    public async Task<ReconcileOutcome> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var (schedule, _) = await store.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        if (schedule is null)
        {
            Forget();
            return ReconcileOutcome.Gone;
        }

        var definition = schedule.Definition;
        var cron = ScheduleCron.Parse(definition.Cron, definition.TimeZone);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.UtcNow;
        if (!schedule.Paused)
        {
            foreach (var record in CyclePlanner.PlanDue(definition, cron, Records, now, options.OnTimeWindow))
            {
                await CreateAsync(record, cancellationToken).ConfigureAwait(false);
            }

            foreach (var backfill in schedule.Backfills)
            {
                foreach (var record in CyclePlanner.PlanBackfill(definition, cron, backfill, Records, now))
                {
                    await CreateAsync(record, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        foreach (var (record, _) in _cycles.Values.Where(c => c.Record.IsActive).OrderBy(c => c.Record.CycleTime).ToArray())
        {
            await GuardAsync(record, () => AdvanceAsync(definition, record, cancellationToken)).ConfigureAwait(false);
        }

        if (!schedule.Paused)
        {
            var (expire, start) = CyclePlanner.Admit(definition, _cycles.Values.Select(c => c.Record), now);
            foreach (var record in expire)
            {
                await TryUpdateAsync(record with
                {
                    State = CycleState.Expired,
                    Reason = $"still queued {CyclePlanner.Describe(now - record.CycleTime)} after its cycle time, older than --expire {ScheduleDuration.Format(definition.Expire!.Value)}: never started",
                }, cancellationToken).ConfigureAwait(false);
            }

            foreach (var record in start)
            {
                await GuardAsync(record, async () =>
                {
                    if (await TryUpdateAsync(Arm(definition, record, now), cancellationToken).ConfigureAwait(false) is { } armed)
                    {
                        await AdvanceAsync(definition, armed, cancellationToken).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
        }

        await RetainAsync(schedule, cancellationToken).ConfigureAwait(false);
        var busy = _cycles.Values.Any(c => c.Record.IsActive || (c.Record.State == CycleState.Queued && !schedule.Paused));
        return new ReconcileOutcome(true, busy, schedule.Paused ? null : cron.Next(now));
    }

    /// <summary>
    /// Starts cycle <paramref name="cycleTime"/> now, ahead of the queue (<see cref="IForecastScheduleGrain.TriggerAsync"/>):
    /// a new record, or a re-armed Missed, Expired, Skipped or Queued one; a Failed run is resumed.
    /// </summary>
    public async Task<CycleRecord> TriggerAsync(ScheduleDefinition definition, DateTime cycleTime, CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.UtcNow;
        if (!_cycles.ContainsKey(cycleTime))
        {
            await CreateAsync(CyclePlanner.New(definition, cycleTime, CycleOrigin.Triggered, now), cancellationToken).ConfigureAwait(false);
        }

        var record = _cycles[cycleTime].Record;
        switch (record.State)
        {
            case CycleState.Queued or CycleState.Missed or CycleState.Expired or CycleState.Skipped:
                if (await TryUpdateAsync(Arm(definition, record, now) with { Origin = CycleOrigin.Triggered }, cancellationToken).ConfigureAwait(false) is { } armed)
                {
                    await AdvanceAsync(definition, armed, cancellationToken).ConfigureAwait(false);
                }

                break;
            case CycleState.Failed when record.SubmittedUtc is not null:
                await grains.GetGrain<IForecastRunGrain>(record.RunId).ResumeAsync(cancellationToken).ConfigureAwait(false);
                await TryUpdateAsync(record with { State = CycleState.Running, CompletedUtc = null, Reason = "resumed by a trigger" }, cancellationToken).ConfigureAwait(false);
                break;
            case CycleState.Failed:
                if (await TryUpdateAsync(Arm(definition, record, now) with { Origin = CycleOrigin.Triggered }, cancellationToken).ConfigureAwait(false) is { } rearmed)
                {
                    await AdvanceAsync(definition, rearmed, cancellationToken).ConfigureAwait(false);
                }

                break;
        }

        return _cycles[cycleTime].Record;
    }

    /// <summary>Reads every record once per activation, then only the active ones (which runs and other reconcilers move on).</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        IEnumerable<DateTime> times = _loaded
            ? _cycles.Where(c => c.Value.Record.IsActive).Select(c => c.Key).ToArray()
            : await store.ListCyclesAsync(name, cancellationToken).ConfigureAwait(false);
        foreach (var t in times)
        {
            await ReadAsync(t, cancellationToken).ConfigureAwait(false);
        }

        _loaded = true;
    }

    private async Task ReadAsync(DateTime cycleTime, CancellationToken cancellationToken)
    {
        var (record, etag) = await store.ReadCycleAsync(name, cycleTime, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            _cycles.Remove(cycleTime);
        }
        else
        {
            _cycles[cycleTime] = (record, etag!);
        }
    }

    /// <summary>Creates a record create-only; when another reconciler created it first, takes theirs.</summary>
    private async Task CreateAsync(CycleRecord record, CancellationToken cancellationToken)
    {
        if (await store.TryCreateCycleAsync(record, cancellationToken).ConfigureAwait(false))
        {
            LogCycle(name, record.CycleTime, record.State, record.Reason);
        }

        await ReadAsync(record.CycleTime, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="record"/> over the version this reconciler read; null (and a re-read) when someone else changed it first.</summary>
    private async Task<CycleRecord?> TryUpdateAsync(CycleRecord record, CancellationToken cancellationToken)
    {
        var etag = _cycles[record.CycleTime].ETag;
        try
        {
            var next = await store.UpdateCycleAsync(record, etag, cancellationToken).ConfigureAwait(false);
            var previous = _cycles[record.CycleTime].Record;
            _cycles[record.CycleTime] = (record, next);
            if (previous.State != record.State)
            {
                LogCycle(name, record.CycleTime, record.State, record.Reason);
            }

            return record;
        }
        catch (BlobETagMismatchException)
        {
            await ReadAsync(record.CycleTime, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>A queued (or re-armed) cycle takes a slot: it waits for its data, or starts from the analytic state.</summary>
    private static CycleRecord Arm(ScheduleDefinition definition, CycleRecord record, DateTime now) => record with
    {
        State = definition.HasDataTrigger ? CycleState.WaitingForData : CycleState.Starting,
        WaitingSinceUtc = now,
        Polls = 0,
        LastPollUtc = null,
        Reason = null,
        CompletedUtc = null,
        InitialCondition = definition.HasDataTrigger ? record.InitialCondition : InitPattern.Analytic,
        DataSource = definition.HasDataTrigger ? record.DataSource : InitPattern.Analytic,
        DataArrivedUtc = definition.HasDataTrigger ? record.DataArrivedUtc : now,
    };

    private async Task AdvanceAsync(ScheduleDefinition definition, CycleRecord record, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        switch (record.State)
        {
            case CycleState.WaitingForData:
                await WaitForDataAsync(definition, record, now, cancellationToken).ConfigureAwait(false);
                break;
            case CycleState.Starting:
                await SubmitAsync(definition, record, cancellationToken).ConfigureAwait(false);
                break;
            case CycleState.Running:
                var status = await grains.GetGrain<IForecastRunGrain>(record.RunId).GetStatusAsync(cancellationToken).ConfigureAwait(false);
                if (status is null)
                {
                    await TryUpdateAsync(record with { State = CycleState.Failed, CompletedUtc = now, Reason = $"run {record.RunId} no longer exists" }, cancellationToken).ConfigureAwait(false);
                }
                else if (status.IsFinished)
                {
                    await TryUpdateAsync(record with
                    {
                        State = status.State == RunState.Completed ? CycleState.Completed : CycleState.Failed,
                        CompletedUtc = status.CompletedUtc ?? now,
                        Reason = status.State switch
                        {
                            RunState.Completed => record.WarmStart ? record.Reason : null,
                            RunState.Cancelled => "the run was cancelled",
                            _ => status.Error,
                        },
                    }, cancellationToken).ConfigureAwait(false);
                }

                break;
        }
    }

    private async Task WaitForDataAsync(ScheduleDefinition definition, CycleRecord record, DateTime now, CancellationToken cancellationToken)
    {
        if (CyclePlanner.IsExpired(definition, record, now))
        {
            await TryUpdateAsync(record with
            {
                State = CycleState.Expired,
                Reason = $"its data did not come before it was older than --expire {ScheduleDuration.Format(definition.Expire!.Value)} ({record.Polls} polls; last: {record.Reason}): never started",
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (record.LastPollUtc is not { } last || now - last >= definition.Poll)
        {
            var found = await data.TryPrepareAsync(definition, record, cancellationToken).ConfigureAwait(false);
            if (found.IsReady)
            {
                if (await TryUpdateAsync(record with
                {
                    State = CycleState.Starting,
                    LastPollUtc = now,
                    DataArrivedUtc = now,
                    DataSource = found.Source,
                    InitialCondition = found.InitialCondition,
                    Reason = null,
                }, cancellationToken).ConfigureAwait(false) is { } starting)
                {
                    await SubmitAsync(definition, starting, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            if (await TryUpdateAsync(record with { Polls = record.Polls + 1, LastPollUtc = now, Reason = found.Reason }, cancellationToken).ConfigureAwait(false) is not { } polled)
            {
                return;
            }

            record = polled;
        }

        if (now - (record.WaitingSinceUtc ?? record.CreatedUtc) < definition.MaxWait)
        {
            return;
        }

        var missed = $"no data within --max-wait {ScheduleDuration.Format(definition.MaxWait)} ({record.Polls} polls; last: {record.Reason})";
        if (definition.Fallback == FallbackPolicy.Previous)
        {
            var previous = _cycles.Values.Select(c => c.Record)
                .Where(c => c.State == CycleState.Completed && !c.RunDeleted && c.CycleTime < record.CycleTime)
                .OrderByDescending(c => c.CycleTime);
            var warm = await data.TryWarmStartAsync(definition, record, previous, cancellationToken).ConfigureAwait(false);
            if (warm.IsReady)
            {
                if (await TryUpdateAsync(record with
                {
                    State = CycleState.Starting,
                    DataArrivedUtc = now,
                    DataSource = warm.Source,
                    InitialCondition = warm.InitialCondition,
                    WarmStart = true,
                    Reason = $"{missed}: warm start from {warm.Source}",
                }, cancellationToken).ConfigureAwait(false) is { } starting)
                {
                    await SubmitAsync(definition, starting, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            missed += $"; no warm start: {warm.Reason}";
        }

        await TryUpdateAsync(record with { State = CycleState.Missed, Reason = missed }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Submits the cycle's run (idempotent for the same spec) and records it Running.</summary>
    private async Task SubmitAsync(ScheduleDefinition definition, CycleRecord record, CancellationToken cancellationToken)
    {
        var spec = definition.Template with
        {
            RunId = record.RunId,
            InitTime = record.CycleTime,
            InitialCondition = record.InitialCondition ?? InitPattern.Analytic,
        };
        try
        {
            await grains.GetGrain<IForecastRunGrain>(record.RunId).SubmitAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await TryUpdateAsync(record with { State = CycleState.Failed, CompletedUtc = clock.UtcNow, Reason = $"the run was refused: {e.Message}" }, cancellationToken).ConfigureAwait(false);
            return;
        }

        await TryUpdateAsync(record with { State = CycleState.Running, SubmittedUtc = record.SubmittedUtc ?? clock.UtcNow }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps the runs of the newest <c>keep</c> cycles that have runs; deletes older finished, unpinned ones. Prunes the rollout
    /// checkpoints of every completed run it keeps to each member's last.
    /// </summary>
    private async Task RetainAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        var withRuns = _cycles.Values.Select(c => c.Record).Where(c => c.SubmittedUtc is not null && !c.RunDeleted).OrderByDescending(c => c.CycleTime).ToArray();
        var kept = withRuns;
        if (schedule.Definition.Keep is { } keep)
        {
            kept = withRuns.Take(keep).ToArray();
            foreach (var old in withRuns.Skip(keep))
            {
                if (old.IsActive || schedule.Pinned.Contains(old.CycleTime))
                {
                    continue;
                }

                // The run's statistics passes end after the run does (its end is announced one-way): let them finish, or
                // a pass still under way would write its lead time again into the deleted run.
                await RunStatistics.SettleAsync(grains, old.RunId, schedule.Definition.Template.Steps, untilDone: true, cancellationToken).ConfigureAwait(false);

                if (await deletion.DeleteFinishedAsync(old.RunId, cancellationToken).ConfigureAwait(false) is { } blobs)
                {
                    LogDeleted(name, old.RunId, blobs);
                    await TryUpdateAsync(old with { RunDeleted = true }, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        foreach (var done in kept.Where(c => c.State == CycleState.Completed && !c.CheckpointsPruned))
        {
            if (await deletion.PruneCheckpointsAsync(done.RunId, cancellationToken).ConfigureAwait(false) is not null)
            {
                await TryUpdateAsync(done with { CheckpointsPruned = true }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One cycle's trouble (storage or a silo briefly away) must not hold up the others: it is logged and retried next tick.</summary>
    private async Task GuardAsync(CycleRecord record, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCycleFailed(e, name, record.CycleTime);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} cycle {CycleTime:yyyy-MM-ddTHH:mm}Z: {State} {Reason}")]
    private partial void LogCycle(string schedule, DateTime cycleTime, CycleState state, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule}: retention deleted run {RunId} ({Blobs} blobs)")]
    private partial void LogDeleted(string schedule, string runId, int blobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Schedule} cycle {CycleTime:yyyy-MM-ddTHH:mm}Z could not move on; the next tick tries again")]
    private partial void LogCycleFailed(Exception exception, string schedule, DateTime cycleTime);
}
