using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Schedules;

namespace GraphCast.Orleans.Storage.Tests.Schedules;

/// <summary>Options of 'schedule add' into a definition: defaults, every bad input as one line naming the option, names that would escape their prefix.</summary>
public sealed class ScheduleRequestTests
{
    private static readonly DateTime Now = new(2024, 6, 3, 3, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_six_hourly_data_triggered_schedule_gets_its_options_and_the_forecast_defaults()
    {
        var d = new ScheduleRequest
        {
            Name = "ifs-6h",
            Cron = "0 0,6,12,18 * * *",
            Preset = "tiny",
            Members = "2",
            Steps = "4",
            Init = "ifs/{cycle:yyyyMMddHH}.grib",
            Fill = "interpolate,analytic",
            MaxWait = "5h",
            Fallback = "previous",
            CatchUp = "all",
            MaxCatchUp = "2",
            Expire = "1d",
            Keep = "8",
        }.ToDefinition(Now);
        Assert.Equal("tiny", d.Template.Model);
        Assert.Equal((2, 4, "gaussian:0.05", 0L, 1), (d.Template.Members, d.Template.Steps, d.Template.Perturbation.ToString(), d.Template.Seed, d.Template.CheckpointEvery));
        Assert.Equal(("UTC", TimeSpan.FromSeconds(30), TimeSpan.FromHours(5), FallbackPolicy.Previous), (d.TimeZone, d.Poll, d.MaxWait, d.Fallback));
        Assert.Equal((CatchUpPolicy.All, 2, TimeSpan.FromDays(1), 1, 8), (d.CatchUp, d.MaxCatchUp, d.Expire, d.MaxActive, d.Keep));
        Assert.Equal(("interpolate,analytic", Now), (d.Fill, d.CreatedUtc));
        Assert.Equal("ifs/2024060306.grib", InitPattern.Resolve(d.Init, new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc)));
        // Without --max-wait a trigger waits at most one cycle interval.
        Assert.Equal(TimeSpan.FromHours(6), new ScheduleRequest { Name = "x", Cron = "0 */6 * * *", Init = "a/{cycle}.nc" }.ToDefinition(Now).MaxWait);
    }

    [Theory]
    [InlineData("* * * * *", "UTC", 1)]
    [InlineData("*/30 * * * *", "UTC", 30)]
    [InlineData("0 0 * * *", "Asia/Kolkata", 24 * 60)]
    public void Cycles_on_any_whole_minute_are_accepted(string cron, string zone, int intervalMinutes)
    {
        var d = new ScheduleRequest { Name = "s", Cron = cron, TimeZone = zone, Init = "a/{cycle}.nc" }.ToDefinition(Now);
        Assert.Equal(TimeSpan.FromMinutes(intervalMinutes), d.MaxWait);
        var next = ScheduleCron.Parse(d.Cron, d.TimeZone).Next(Now)!.Value;
        Assert.Equal(0, next.Ticks % TimeSpan.TicksPerMinute);
        Assert.Equal(zone == "Asia/Kolkata" ? new DateTime(2024, 6, 3, 18, 30, 0, DateTimeKind.Utc) : Now.AddMinutes(intervalMinutes), next);
    }

    [Theory]
    [InlineData("../escape", "'../escape' is not a valid schedule name: use 1 to 114 letters, digits, '.', '_' or '-', starting with a letter or digit (for example 'ifs-6h'). A schedule name is one path segment of the store, so '/' and '..' are refused. (Parameter 'name')")]
    [InlineData("a/b", "'a/b' is not a valid schedule name: use 1 to 114 letters, digits, '.', '_' or '-', starting with a letter or digit (for example 'ifs-6h'). A schedule name is one path segment of the store, so '/' and '..' are refused. (Parameter 'name')")]
    public void A_name_that_would_escape_its_prefix_is_refused(string name, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new ScheduleRequest { Name = name, Cron = "0 0 * * *" }.ToDefinition(Now));
        Assert.Equal(message, e.Message);
    }

    public static TheoryData<ScheduleRequest, string> BadRequests => new()
    {
        { new() { Name = "s", Cron = "0 0 * * *", TimeZone = "Mars/Olympus" }, "Unknown time zone 'Mars/Olympus': give an IANA name such as Europe/Berlin or America/New_York, or UTC (the default)." },
        { new() { Name = "s", Cron = "0 0 * * *", Init = "ifs/latest.grib" }, "--init 'ifs/latest.grib' has no cycle placeholder, so every cycle would read the same data: put the cycle time in it, e.g. 'ifs/{cycle:yyyyMMddHH}.grib'." },
        { new() { Name = "s", Cron = "0 0 * * *", Init = "../ifs/{cycle}.grib" }, "--init '../ifs/{cycle}.grib' gives '../ifs/202406030600.grib', which is not a blob name of the store ('/'-separated, no '..' or leading '/'); give a blob name such as 'ifs/{cycle:yyyyMMddHH}.grib', or an absolute path for a file on the silo's machine." },
        { new() { Name = "s", Cron = "0 */6 * * *", Init = "ifs/{cycle}.grib", MaxWait = "8h" }, "--max-wait 8h is longer than the cycle interval 6h: a cycle still waiting would hold back the next one. Shorten --max-wait, or let cycles overlap with --max-active 2 (or more)." },
        { new() { Name = "s", Cron = "0 0 * * *", MaxWait = "2h" }, "--max-wait applies to a data trigger (--init PATTERN with the cycle time in it); with --init analytic there is no data to wait for." },
        { new() { Name = "s", Cron = "0 0 * * *", Init = "ifs/{cycle}.grib", Poll = "soon" }, "--poll 'soon' is not a positive duration: write it as 30s, 15m, 6h or 2d (or hh:mm:ss)." },
        { new() { Name = "s", Cron = "0 0 * * *", CatchUp = "some" }, "--catch-up 'some' is not none, latest or all." },
        { new() { Name = "s", Cron = "0 0 * * *", MaxCatchUp = "3" }, "--max-catch-up applies to --catch-up all (how many missed cycles to start); drop it or add --catch-up all." },
        { new() { Name = "s", Cron = "0 0 * * *", Init = "ifs/{cycle}.grib", Fallback = "older" }, "--fallback 'older' is not 'none' or 'previous' (a warm start from the previous cycle's forecast)." },
        { new() { Name = "s", Cron = "0 0 * * *", Keep = "0" }, "--keep must be an integer ≥ 1, not '0'." },
        { new() { Name = "s", Cron = "0 0 * * *", Members = "0" }, "--members must be an integer ≥ 1, not '0'." },
        { new() { Name = "s", Cron = "0 0 * * *", Perturb = "gaussian:-1" }, "Perturbation 'gaussian:-1': the amplitude must be a positive number." },
        { new() { Name = "s", Cron = "0 0 * * *", Init = "ifs/{cycle}.grib", Fill = "everything" }, "Fill policy 'everything' is not one of none, interpolate, analytic (combine them with commas, e.g. --fill interpolate,analytic)." },
        { new() { Name = "s", Cron = "0 0 * * *", Expire = "-2h" }, "--expire '-2h' is not a positive duration: write it as 30s, 15m, 6h or 2d (or hh:mm:ss)." },
        { new() { Name = "s", Cron = "0 0 * * *", Preset = "tiny", Model = "checkpoint:a.npz" }, "Give --preset NAME or --checkpoint FILE.npz, not both." },
        { new() { Name = "s", Cron = "30 * * * * *" }, "Cron expression '30 * * * * *' has six fields, the first for seconds, but cycles start on whole minutes: drop the seconds field and give five, minute hour day-of-month month day-of-week (e.g. '0 0,6,12,18 * * *' for 00, 06, 12 and 18 UTC)." },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Each_bad_option_is_one_line_naming_it_and_the_fix(ScheduleRequest request, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => request.ToDefinition(Now));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Check_refuses_a_hand_built_definition_by_the_same_rules()
    {
        var good = new ScheduleRequest { Name = "s", Cron = "0 */6 * * *", Init = "ifs/{cycle}.grib", MaxWait = "6h" }.ToDefinition(Now);
        ScheduleRequest.Check(good, Now);
        var e = Assert.Throws<ArgumentException>(() => ScheduleRequest.Check(good with { MaxWait = TimeSpan.FromHours(7) }, Now));
        Assert.StartsWith("--max-wait 7h is longer than the cycle interval 6h", e.Message, StringComparison.Ordinal);
        ScheduleRequest.Check(good with { MaxWait = TimeSpan.FromHours(7), MaxActive = 2 }, Now);
        Assert.Throws<ArgumentException>(() => ScheduleRequest.Check(good with { Name = ".." }, Now));
    }
}
