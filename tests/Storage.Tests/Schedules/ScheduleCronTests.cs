using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Time.Testing;

namespace GraphCast.Orleans.Storage.Tests.Schedules;

/// <summary>Cron expressions into UTC cycle times: UTC and a named zone across both DST changes, and bad expressions named by field.</summary>
public sealed class ScheduleCronTests
{
    private static DateTime Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public void Six_hourly_UTC_cycles_fall_due_at_00_06_12_18_as_a_fake_clock_moves()
    {
        var cron = ScheduleCron.Parse("0 0,6,12,18 * * *");
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 6, 3, 5, 59, 0, TimeSpan.Zero));
        var start = clock.GetUtcNow().UtcDateTime;
        Assert.Empty(cron.Between(start, clock.GetUtcNow().UtcDateTime));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([Utc(2024, 6, 3, 6)], cron.Between(start, clock.GetUtcNow().UtcDateTime));
        clock.Advance(TimeSpan.FromHours(18));
        Assert.Equal([Utc(2024, 6, 3, 6), Utc(2024, 6, 3, 12), Utc(2024, 6, 3, 18), Utc(2024, 6, 4, 0)], cron.Between(start, clock.GetUtcNow().UtcDateTime));
        Assert.Equal(Utc(2024, 6, 4, 0), cron.LatestAtOrBefore(clock.GetUtcNow().UtcDateTime));
        Assert.Equal(Utc(2024, 6, 4, 6), cron.Next(clock.GetUtcNow().UtcDateTime));
        Assert.Equal(TimeSpan.FromHours(6), cron.ShortestInterval(start));
        Assert.True(cron.IsCycle(Utc(2024, 6, 4, 12)));
        Assert.False(cron.IsCycle(Utc(2024, 6, 4, 13)));
    }

    [Fact]
    public void A_daily_0230_Berlin_cycle_falls_due_once_a_day_across_both_DST_changes()
    {
        // 2024-03-31 02:00 CET → 03:00 CEST (02:30 does not exist); 2024-10-27 03:00 CEST → 02:00 CET (02:30 happens twice).
        var cron = ScheduleCron.Parse("30 2 * * *", "Europe/Berlin");
        Assert.Equal(
            [Utc(2024, 3, 30, 1, 30), Utc(2024, 3, 31, 1, 0), Utc(2024, 4, 1, 0, 30)],
            cron.Between(Utc(2024, 3, 30, 0), Utc(2024, 4, 1, 12)));
        Assert.Equal(
            [Utc(2024, 10, 26, 0, 30), Utc(2024, 10, 27, 0, 30), Utc(2024, 10, 28, 1, 30)],
            cron.Between(Utc(2024, 10, 26, 0), Utc(2024, 10, 28, 12)));
        // The shortest day in that zone is the spring one: 02:30 CET on the 30th to the first instant after the gap.
        Assert.Equal(TimeSpan.FromHours(23.5), cron.ShortestInterval(Utc(2024, 3, 29, 0)));
    }

    [Fact]
    public void Six_hourly_local_cycles_in_Berlin_keep_local_hours_across_the_autumn_change()
    {
        var cron = ScheduleCron.Parse("0 0,6,12,18 * * *", "Europe/Berlin");
        Assert.Equal(
            [Utc(2024, 10, 26, 22), Utc(2024, 10, 27, 5), Utc(2024, 10, 27, 11), Utc(2024, 10, 27, 17), Utc(2024, 10, 27, 23)],
            cron.Between(Utc(2024, 10, 26, 21), Utc(2024, 10, 27, 23)));
    }

    [Theory]
    [InlineData("0 25 * * *", "Cron expression '0 25 * * *': the hour field '25' is invalid (hour takes 0-23, lists a,b, ranges a-b and steps */n; e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC).")]
    [InlineData("61 * * * *", "Cron expression '61 * * * *': the minute field '61' is invalid (minute takes 0-59, lists a,b, ranges a-b and steps */n; e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC).")]
    [InlineData("0 0 * 13 *", "Cron expression '0 0 * 13 *': the month field '13' is invalid (month takes 1-12 or JAN-DEC, lists a,b, ranges a-b and steps */n; e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC).")]
    [InlineData("0 0 * * MOO", "Cron expression '0 0 * * MOO': the day-of-week field 'MOO' is invalid (day-of-week takes 0-6 or SUN-SAT, lists a,b, ranges a-b and steps */n; e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC).")]
    [InlineData("0 0 32 * *", "Cron expression '0 0 32 * *': the day-of-month field '32' is invalid (day-of-month takes 1-31, lists a,b, ranges a-b and steps */n; e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC).")]
    [InlineData("0 6 * *", "Cron expression '0 6 * *' has 4 field(s); give five: minute hour day-of-month month day-of-week (e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC).")]
    [InlineData("0 0 30 2 *", "Cron expression '0 0 30 2 *' never falls due (e.g. February 30th); give a date that exists.")]
    public void A_bad_cron_expression_is_one_line_naming_the_field(string cron, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ScheduleCron.Parse(cron));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_unknown_time_zone_is_named_with_examples()
    {
        var e = Assert.Throws<ArgumentException>(() => ScheduleCron.Parse("0 0 * * *", "Europe/Atlantis"));
        Assert.Equal("Unknown time zone 'Europe/Atlantis': give an IANA name such as Europe/Berlin or America/New_York, or UTC (the default).", e.Message);
    }
}
