using System.Globalization;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>
/// The schedule's decisions as pure functions of its definition, its cycle records and the clock: which cycles have fallen
/// due and what becomes of each (queued, skipped by the catch-up policy, expired), which backfill cycles to queue, and which
/// queued cycles may start under <c>max-active</c>. The grain applies them; the same inputs always give the same decisions,
/// which is why a doubled or late tick changes nothing.
/// </summary>
public static class CyclePlanner
{
    /// <summary>At most this many cycles are recorded for one stretch of downtime (the most recent); older ones leave no record.</summary>
    public const int MaxDueAtOnce = 1000;

    /// <summary>The longest backfill, in cycles.</summary>
    public const int MaxBackfillCycles = 10_000;

    /// <summary>
    /// New records for the scheduled cycles that fell due after the last scheduled cycle on record (or after the schedule was
    /// added) up to <paramref name="nowUtc"/>, and have no record yet.
    /// </summary>
    /// <param name="onTimeWindow">A cycle found due within this of its cycle time is on time: it starts whatever the catch-up policy.</param>
    public static IReadOnlyList<CycleRecord> PlanDue(
        ScheduleDefinition definition, ScheduleCron cron, IReadOnlyDictionary<DateTime, CycleRecord> records, DateTime nowUtc, TimeSpan onTimeWindow)
    {
        var anchor = definition.CreatedUtc;
        foreach (var r in records.Values)
        {
            if (r.Origin == CycleOrigin.Scheduled && r.CycleTime > anchor)
            {
                anchor = r.CycleTime;
            }
        }

        var due = new Queue<DateTime>();
        foreach (var t in cron.Between(anchor, nowUtc))
        {
            due.Enqueue(t);
            if (due.Count > MaxDueAtOnce)
            {
                due.Dequeue();
            }
        }

        var fresh = due.Where(t => !records.ContainsKey(t)).ToArray();
        var late = fresh.Where(t => nowUtc - t > onTimeWindow).ToArray();
        var result = new List<CycleRecord>(fresh.Length);
        foreach (var t in fresh)
        {
            var lateness = nowUtc - t;
            var record = New(definition, t, CycleOrigin.Scheduled, nowUtc);
            if (definition.Expire is { } expire && lateness > expire)
            {
                result.Add(record with { State = CycleState.Expired, Reason = $"first seen {Describe(lateness)} after its cycle time, older than --expire {ScheduleDuration.Format(expire)}: never started" });
                continue;
            }

            if (lateness <= onTimeWindow)
            {
                result.Add(record);
                continue;
            }

            // Late: it fell due while no silo ticked the schedule (downtime, or a pause).
            var rank = late.Length - 1 - Array.IndexOf(late, t); // 0 for the latest late cycle
            var later = fresh[^1];
            var (start, reason) = definition.CatchUp switch
            {
                CatchUpPolicy.None => (false, $"catch-up none: first seen {Describe(lateness)} after its cycle time (downtime or a pause)"),
                CatchUpPolicy.Latest when rank > 0 || later != t => (false, $"catch-up latest: a later cycle ({Iso(later)}) was due too"),
                CatchUpPolicy.Latest => (true, null),
                _ when rank < definition.MaxCatchUp => (true, null),
                _ => (false, $"catch-up all: beyond --max-catch-up {definition.MaxCatchUp} (the {definition.MaxCatchUp} most recent missed cycles start)"),
            };
            result.Add(start ? record : record with { State = CycleState.Skipped, Reason = reason });
        }

        return result;
    }

    /// <summary>New queued records for the cycles of <paramref name="backfill"/> that have no record yet.</summary>
    public static IReadOnlyList<CycleRecord> PlanBackfill(
        ScheduleDefinition definition, ScheduleCron cron, BackfillRange backfill, IReadOnlyDictionary<DateTime, CycleRecord> records, DateTime nowUtc) =>
        cron.Within(backfill.FromUtc, backfill.ToUtc).Take(MaxBackfillCycles).Where(t => !records.ContainsKey(t))
            .Select(t => New(definition, t, CycleOrigin.Backfill, nowUtc)).ToArray();

    /// <summary>
    /// Among queued cycles: the scheduled ones now older than <c>expire</c> (to be Expired), and those that may start now —
    /// in order (scheduled before backfill, then by cycle time) while fewer than <c>max-active</c> cycles are active.
    /// </summary>
    public static (IReadOnlyList<CycleRecord> Expire, IReadOnlyList<CycleRecord> Start) Admit(
        ScheduleDefinition definition, IEnumerable<CycleRecord> records, DateTime nowUtc)
    {
        var all = records.ToArray();
        var expired = all.Where(r => r.State == CycleState.Queued && IsExpired(definition, r, nowUtc)).ToArray();
        var free = definition.MaxActive - all.Count(r => r.IsActive);
        var start = all.Where(r => r.State == CycleState.Queued && !expired.Contains(r))
            .OrderBy(r => r.Origin == CycleOrigin.Backfill ? 1 : 0).ThenBy(r => r.CycleTime)
            .Take(Math.Max(0, free)).ToArray();
        return (expired, start);
    }

    /// <summary>Whether a scheduled cycle is older than <c>expire</c> at <paramref name="nowUtc"/> (backfilled and triggered cycles never expire).</summary>
    public static bool IsExpired(ScheduleDefinition definition, CycleRecord record, DateTime nowUtc) =>
        record.Origin == CycleOrigin.Scheduled && definition.Expire is { } expire && nowUtc - record.CycleTime > expire;

    /// <summary>A fresh queued record of cycle <paramref name="cycleTime"/>.</summary>
    public static CycleRecord New(ScheduleDefinition definition, DateTime cycleTime, CycleOrigin origin, DateTime nowUtc) => new()
    {
        Schedule = definition.Name,
        CycleTime = cycleTime,
        RunId = ScheduleLayout.RunId(definition.Name, cycleTime),
        Origin = origin,
        State = CycleState.Queued,
        CreatedUtc = nowUtc,
    };

    /// <summary><c>2h 5m</c>, <c>40s</c>: a lateness for a reason.</summary>
    public static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m {span.Seconds}s"
        : $"{Math.Max(0, (int)span.TotalSeconds)}s";

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
}
