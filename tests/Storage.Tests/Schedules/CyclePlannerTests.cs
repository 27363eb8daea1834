using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Time.Testing;

namespace GraphCast.Orleans.Storage.Tests.Schedules;

/// <summary>Which cycles fall due and what becomes of them: on time, after downtime under each catch-up policy, expiry, and the max-active queue's order.</summary>
public sealed class CyclePlannerTests
{
    private static readonly TimeSpan OnTime = TimeSpan.FromMinutes(5);

    private static DateTime Utc(int d, int h, int mi = 0) => new(2024, 6, d, h, mi, 0, DateTimeKind.Utc);

    private static ScheduleDefinition Definition(CatchUpPolicy catchUp = CatchUpPolicy.Latest, int maxCatchUp = 4, TimeSpan? expire = null, int maxActive = 1) => new()
    {
        Name = "ifs",
        Cron = "0 0,6,12,18 * * *",
        Template = new ForecastSpec { RunId = "ifs", Model = "tiny", InitTime = DateTime.UnixEpoch, Steps = 1, Members = 1 },
        CatchUp = catchUp,
        MaxCatchUp = maxCatchUp,
        Expire = expire,
        MaxActive = maxActive,
        CreatedUtc = Utc(1, 1),
    };

    private static readonly ScheduleCron Cron = ScheduleCron.Parse("0 0,6,12,18 * * *");

    private static Dictionary<DateTime, CycleRecord> Records(params CycleRecord[] records) => records.ToDictionary(r => r.CycleTime);

    private static string Fates(IEnumerable<CycleRecord> records) =>
        string.Join(" ", records.Select(r => $"{r.CycleTime:dd'T'HH}:{r.State}"));

    [Fact]
    public void A_cycle_falls_due_at_its_time_once_and_a_second_tick_plans_nothing()
    {
        var definition = Definition();
        var clock = new FakeTimeProvider(new DateTimeOffset(Utc(1, 5, 59)));
        Assert.Empty(CyclePlanner.PlanDue(definition, Cron, Records(), clock.GetUtcNow().UtcDateTime, OnTime));
        clock.Advance(TimeSpan.FromSeconds(90));
        var first = CyclePlanner.PlanDue(definition, Cron, Records(), clock.GetUtcNow().UtcDateTime, OnTime);
        Assert.Equal("01T06:Queued", Fates(first));
        Assert.Equal("ifs-20240601T0600", first[0].RunId);
        Assert.Empty(CyclePlanner.PlanDue(definition, Cron, Records([.. first]), clock.GetUtcNow().UtcDateTime, OnTime));
    }

    [Fact]
    public void After_a_day_of_downtime_none_skips_all_latest_starts_the_last_all_starts_max_catch_up()
    {
        var now = Utc(2, 13);
        // Due since the schedule was added at 01T01: 01T06, 01T12, 01T18, 02T00, 02T06, 02T12 (all found late).
        Assert.Equal(
            "01T06:Skipped 01T12:Skipped 01T18:Skipped 02T00:Skipped 02T06:Skipped 02T12:Skipped",
            Fates(CyclePlanner.PlanDue(Definition(CatchUpPolicy.None), Cron, Records(), now, OnTime)));
        Assert.Equal(
            "01T06:Skipped 01T12:Skipped 01T18:Skipped 02T00:Skipped 02T06:Skipped 02T12:Queued",
            Fates(CyclePlanner.PlanDue(Definition(CatchUpPolicy.Latest), Cron, Records(), now, OnTime)));
        var all = CyclePlanner.PlanDue(Definition(CatchUpPolicy.All, maxCatchUp: 3), Cron, Records(), now, OnTime);
        Assert.Equal("01T06:Skipped 01T12:Skipped 01T18:Skipped 02T00:Queued 02T06:Queued 02T12:Queued", Fates(all));
        Assert.Equal("catch-up all: beyond --max-catch-up 3 (the 3 most recent missed cycles start)", all[0].Reason);
    }

    [Fact]
    public void Catch_up_none_still_starts_a_cycle_found_on_time_and_skips_the_missed_ones_before_it()
    {
        var plan = CyclePlanner.PlanDue(Definition(CatchUpPolicy.None), Cron, Records(), Utc(2, 12, 3), OnTime);
        Assert.Equal("01T06:Skipped 01T12:Skipped 01T18:Skipped 02T00:Skipped 02T06:Skipped 02T12:Queued", Fates(plan));
        Assert.Equal("catch-up none: first seen 6h 3m after its cycle time (downtime or a pause)", plan[^2].Reason);
        var latest = CyclePlanner.PlanDue(Definition(CatchUpPolicy.Latest), Cron, Records(), Utc(2, 12, 3), OnTime);
        Assert.Equal("catch-up latest: a later cycle (2024-06-02T12:00Z) was due too", latest[^2].Reason);
    }

    [Fact]
    public void Expire_wins_over_catch_up_and_only_younger_cycles_start()
    {
        var plan = CyclePlanner.PlanDue(Definition(CatchUpPolicy.All, maxCatchUp: 10, expire: TimeSpan.FromHours(13)), Cron, Records(), Utc(2, 13), OnTime);
        Assert.Equal("01T06:Expired 01T12:Expired 01T18:Expired 02T00:Queued 02T06:Queued 02T12:Queued", Fates(plan));
        Assert.Equal("first seen 19h 0m after its cycle time, older than --expire 13h: never started", plan[2].Reason);
    }

    [Fact]
    public void Planning_starts_after_the_last_scheduled_record_and_ignores_backfilled_ones()
    {
        var definition = Definition();
        var records = Records(
            CyclePlanner.New(definition, Utc(2, 0), CycleOrigin.Scheduled, Utc(2, 0)) with { State = CycleState.Completed },
            CyclePlanner.New(definition, Utc(2, 6), CycleOrigin.Backfill, Utc(2, 0)));
        // 02T06 has a (backfill) record: only 02T12 is new.
        Assert.Equal("02T12:Queued", Fates(CyclePlanner.PlanDue(definition, Cron, records, Utc(2, 12, 1), OnTime)));
    }

    [Fact]
    public void Queued_cycles_start_in_order_scheduled_before_backfill_within_max_active()
    {
        var definition = Definition(maxActive: 2, expire: TimeSpan.FromHours(30));
        CycleRecord R(int d, int h, CycleOrigin origin, CycleState state = CycleState.Queued) =>
            CyclePlanner.New(definition, Utc(d, h), origin, Utc(3, 0)) with { State = state };
        var records = new[]
        {
            R(1, 0, CycleOrigin.Backfill),
            R(1, 6, CycleOrigin.Backfill),
            R(2, 0, CycleOrigin.Scheduled),          // 30 h old at 03T06: not older than expire
            R(1, 18, CycleOrigin.Scheduled),         // 36 h old: expires
            R(2, 12, CycleOrigin.Scheduled, CycleState.Running),
            R(2, 18, CycleOrigin.Scheduled),
        };
        var (expire, start) = CyclePlanner.Admit(definition, records, Utc(3, 6));
        Assert.Equal("01T18:Queued", Fates(expire));
        Assert.Equal("02T00:Queued", Fates(start)); // one running + one slot
        var (_, more) = CyclePlanner.Admit(definition with { MaxActive = 4 }, records, Utc(3, 6));
        Assert.Equal("02T00:Queued 02T18:Queued 01T00:Queued", Fates(more));
    }

    [Fact]
    public void A_backfill_queues_every_cycle_of_its_range_both_ends_included_that_has_no_record()
    {
        var definition = Definition();
        var range = new BackfillRange { FromUtc = Utc(1, 0), ToUtc = Utc(2, 0) };
        var existing = Records(CyclePlanner.New(definition, Utc(1, 12), CycleOrigin.Scheduled, Utc(1, 12)));
        var plan = CyclePlanner.PlanBackfill(definition, Cron, range, existing, Utc(3, 0));
        Assert.Equal("01T00:Queued 01T06:Queued 01T18:Queued 02T00:Queued", Fates(plan));
        Assert.All(plan, r => Assert.Equal(CycleOrigin.Backfill, r.Origin));
    }
}
