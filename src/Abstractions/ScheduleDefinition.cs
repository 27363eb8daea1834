namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// A forecast schedule as an operator defines it (<c>graphcast schedule add</c>): when cycles fall due (a cron expression in a
/// time zone), the run each cycle starts (a <see cref="ForecastSpec"/> template), the data it waits for, and its catch-up,
/// expiry, concurrency and retention rules. Built and checked by <c>ScheduleRequest</c> (src/Storage); stored as
/// <c>schedules/{name}/schedule.json</c>.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ScheduleDefinition")]
public sealed record ScheduleDefinition
{
    /// <summary>The schedule's name: 1–114 letters, digits, '.', '_' or '-' (it prefixes every cycle's run id).</summary>
    [Id(0)]
    public required string Name { get; init; }

    /// <summary>Five-field cron expression (minute hour day-of-month month day-of-week), e.g. <c>0 0,6,12,18 * * *</c>.</summary>
    [Id(1)]
    public required string Cron { get; init; }

    /// <summary>The IANA time zone the cron expression is read in (<c>UTC</c> by default); cycle times are always UTC.</summary>
    [Id(2)]
    public string TimeZone { get; init; } = "UTC";

    /// <summary>
    /// The run each cycle starts: every <c>graphcast forecast</c> option. Its run id, init time and initial condition are
    /// replaced per cycle (<c>{name}-{yyyyMMddTHHmm}</c>, the cycle time, the cycle's data).
    /// </summary>
    [Id(3)]
    public required ForecastSpec Template { get; init; }

    /// <summary>
    /// <c>analytic</c> (no data trigger), or a pattern with the cycle time in it (<c>{cycle:yyyyMMddHH}</c>): an absolute path is
    /// a file on the silo's machine, anything else a blob name in the store (e.g. <c>ifs/{cycle:yyyyMMddHH}.grib</c>).
    /// </summary>
    [Id(4)]
    public string Init { get; init; } = "analytic";

    /// <summary>What to fill that the data lacks (<c>--fill</c>: none, interpolate, analytic or interpolate,analytic).</summary>
    [Id(5)]
    public string Fill { get; init; } = "none";

    /// <summary>How often a waiting cycle looks for its data.</summary>
    [Id(6)]
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a cycle waits for its data, from when it starts waiting; then it falls back or is Missed.</summary>
    [Id(7)]
    public TimeSpan MaxWait { get; init; }

    [Id(8)]
    public FallbackPolicy Fallback { get; init; } = FallbackPolicy.None;

    [Id(9)]
    public CatchUpPolicy CatchUp { get; init; } = CatchUpPolicy.Latest;

    /// <summary>With <see cref="CatchUpPolicy.All"/>: at most this many missed cycles start (the most recent ones).</summary>
    [Id(10)]
    public int MaxCatchUp { get; init; } = 4;

    /// <summary>A scheduled cycle older than this (from its cycle time) is never started: Expired. Null: never.</summary>
    [Id(11)]
    public TimeSpan? Expire { get; init; }

    /// <summary>How many cycles may wait for data, start or run at once; later cycles wait in order.</summary>
    [Id(12)]
    public int MaxActive { get; init; } = 1;

    /// <summary>Keep the forecasts of the newest N cycles (older runs are deleted unless running or pinned). Null: keep all.</summary>
    [Id(13)]
    public int? Keep { get; init; }

    /// <summary>When the schedule was added: cycles due before it are not caught up (backfill them).</summary>
    [Id(14)]
    public DateTime CreatedUtc { get; init; }

    /// <summary>Whether cycles wait for data (<see cref="Init"/> is a pattern).</summary>
    public bool HasDataTrigger => Init != "analytic";
}
