using System.Globalization;
using GraphCast.Data.InitialConditions;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>
/// The options of <c>graphcast schedule add</c> as text, exactly as a command line gives them, and their parsing and checking
/// into a <see cref="ScheduleDefinition"/>: every error is one line naming the option and the fix, thrown before anything is
/// stored. The run template's model, output variables and counts are checked again by the schedule grain against the silo's
/// models, with <c>graphcast forecast</c>'s own messages.
/// </summary>
/// <remarks>Null means "not given": the defaults are <c>graphcast forecast</c>'s for the run and the for the schedule.</remarks>
public sealed class ScheduleRequest
{
    public required string Name { get; init; }

    /// <summary><c>--cron</c>: five fields, in <see cref="TimeZone"/>.</summary>
    public required string Cron { get; init; }

    /// <summary><c>--time-zone</c>: an IANA name; UTC by default.</summary>
    public string? TimeZone { get; init; }

    /// <summary><c>--preset</c> (default <c>demo</c>), or <see cref="Model"/> already resolved (<c>checkpoint:NAME.npz</c>).</summary>
    public string? Preset { get; init; }

    /// <summary>A model as the spec names it (<c>checkpoint:NAME.npz</c> from the silos' weights directory); not with <see cref="Preset"/>.</summary>
    public string? Model { get; init; }

    public string? Members { get; init; }

    public string? Steps { get; init; }

    public string? Seed { get; init; }

    /// <summary><c>--perturb none|gaussian:AMP|correlated:AMP:LENGTH_KM</c> (default gaussian:0.05, as forecast).</summary>
    public string? Perturb { get; init; }

    /// <summary>The forecasts' chunk codec (<c>--compression</c>; default zstd:3, as <c>graphcast forecast</c>).</summary>
    public string? Compression { get; init; }

    public string? CheckpointEvery { get; init; }

    /// <summary><c>--variables a,b</c>: output variables.</summary>
    public string? Variables { get; init; }

    /// <summary><c>--init analytic|PATTERN</c>: the data trigger.</summary>
    public string? Init { get; init; }

    public string? Fill { get; init; }

    public string? Poll { get; init; }

    public string? MaxWait { get; init; }

    /// <summary><c>--fallback none|previous</c>.</summary>
    public string? Fallback { get; init; }

    /// <summary><c>--catch-up none|latest|all</c>.</summary>
    public string? CatchUp { get; init; }

    public string? MaxCatchUp { get; init; }

    public string? Expire { get; init; }

    public string? MaxActive { get; init; }

    public string? Keep { get; init; }

    /// <summary>The definition these options give, created at <paramref name="nowUtc"/>.</summary>
    /// <exception cref="ArgumentException">One line naming the first bad option and the fix.</exception>
    public ScheduleDefinition ToDefinition(DateTime nowUtc)
    {
        ScheduleLayout.ValidateName(Name);
        var timeZone = TimeZone ?? "UTC";
        var cron = ScheduleCron.Parse(Cron, timeZone);
        if (Preset is not null && Model is not null)
        {
            throw new ArgumentException("Give --preset NAME or --checkpoint FILE.npz, not both.");
        }

        var members = Int(Members, "members", 4, min: 1);
        var steps = Int(Steps, "steps", 8, min: 1);
        var seed = Seed is null ? 0L : long.TryParse(Seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s
            : throw new ArgumentException($"--seed must be an integer, not '{Seed}'.");
        var perturbation = PerturbationSpec.Parse(Perturb ?? "gaussian:0.05");
        string compression;
        try
        {
            compression = (Compression is null ? GraphCast.Formats.Zarr.ZarrCompressor.Default : GraphCast.Formats.Zarr.ZarrCompressor.Parse(Compression)).ToString();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException("--compression: " + e.Message, e);
        }

        var every = Int(CheckpointEvery, "checkpoint-every", 1, min: 1);
        var template = new ForecastSpec
        {
            RunId = Name,
            Model = Model ?? Preset ?? "demo",
            InitTime = DateTime.UnixEpoch,
            Steps = steps,
            Members = members,
            Perturbation = perturbation,
            Seed = seed,
            CheckpointEvery = every,
            Compression = compression,
            OutputVariables = Variables is null ? [] : Variables.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };

        var init = Init ?? InitPattern.Analytic;
        var trigger = init != InitPattern.Analytic;
        if (trigger)
        {
            InitPattern.Validate(init);
        }
        else
        {
            foreach (var (value, option) in new[] { (Poll, "poll"), (MaxWait, "max-wait"), (Fallback, "fallback"), (Fill, "fill") })
            {
                if (value is not null)
                {
                    throw new ArgumentException($"--{option} applies to a data trigger (--init PATTERN with the cycle time in it); with --init analytic there is no data to wait for.");
                }
            }
        }

        var fill = FillPolicies.Format(FillPolicies.Parse(Fill ?? "none"));
        RequireWholeMinutes(cron, nowUtc);
        var interval = cron.ShortestInterval(nowUtc);
        var poll = Poll is null ? TimeSpan.FromSeconds(30) : ScheduleDuration.Parse(Poll, "poll");
        var maxActive = Int(MaxActive, "max-active", 1, min: 1);
        var maxWait = MaxWait is null ? interval : ScheduleDuration.Parse(MaxWait, "max-wait");
        if (trigger && maxWait > interval && maxActive < 2)
        {
            throw new ArgumentException(
                $"--max-wait {ScheduleDuration.Format(maxWait)} is longer than the cycle interval {ScheduleDuration.Format(interval)}: a cycle still waiting would hold back the next one. " +
                "Shorten --max-wait, or let cycles overlap with --max-active 2 (or more).");
        }

        if (trigger && poll > maxWait)
        {
            throw new ArgumentException($"--poll {ScheduleDuration.Format(poll)} is longer than --max-wait {ScheduleDuration.Format(maxWait)}: the data would be looked for once at most. Poll more often.");
        }

        var fallback = Fallback switch
        {
            null or "none" => FallbackPolicy.None,
            "previous" => FallbackPolicy.Previous,
            _ => throw new ArgumentException($"--fallback '{Fallback}' is not 'none' or 'previous' (a warm start from the previous cycle's forecast)."),
        };
        var catchUp = CatchUp switch
        {
            null or "latest" => CatchUpPolicy.Latest,
            "none" => CatchUpPolicy.None,
            "all" => CatchUpPolicy.All,
            _ => throw new ArgumentException($"--catch-up '{CatchUp}' is not none, latest or all."),
        };
        var maxCatchUp = Int(MaxCatchUp, "max-catch-up", 4, min: 1);
        if (MaxCatchUp is not null && catchUp != CatchUpPolicy.All)
        {
            throw new ArgumentException("--max-catch-up applies to --catch-up all (how many missed cycles to start); drop it or add --catch-up all.");
        }

        var expire = Expire is null ? (TimeSpan?)null : ScheduleDuration.Parse(Expire, "expire");
        int? keep = Keep is null ? null : Int(Keep, "keep", 0, min: 1);
        return new ScheduleDefinition
        {
            Name = Name,
            Cron = cron.Text,
            TimeZone = timeZone,
            Template = template,
            Init = init,
            Fill = fill,
            Poll = poll,
            MaxWait = trigger ? maxWait : TimeSpan.Zero,
            Fallback = fallback,
            CatchUp = catchUp,
            MaxCatchUp = maxCatchUp,
            Expire = expire,
            MaxActive = maxActive,
            Keep = keep,
            CreatedUtc = nowUtc,
        };
    }

    /// <summary>
    /// Checks a definition however it was built (a client may send one directly): the same rules and messages as
    /// <see cref="ToDefinition"/>, except the run template's model checks, which need the silo's models.
    /// </summary>
    /// <exception cref="ArgumentException">One line naming the option and the fix.</exception>
    public static void Check(ScheduleDefinition definition, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ScheduleLayout.ValidateName(definition.Name);
        var cron = ScheduleCron.Parse(definition.Cron, definition.TimeZone);
        RequireWholeMinutes(cron, nowUtc);
        FillPolicies.Parse(definition.Fill);
        if (definition.HasDataTrigger)
        {
            InitPattern.Validate(definition.Init);
            if (definition.Poll <= TimeSpan.Zero || definition.MaxWait <= TimeSpan.Zero)
            {
                throw new ArgumentException("--poll and --max-wait must be positive durations (e.g. --poll 30s --max-wait 5h).");
            }

            var interval = cron.ShortestInterval(nowUtc);
            if (definition.MaxWait > interval && definition.MaxActive < 2)
            {
                throw new ArgumentException(
                    $"--max-wait {ScheduleDuration.Format(definition.MaxWait)} is longer than the cycle interval {ScheduleDuration.Format(interval)}: a cycle still waiting would hold back the next one. " +
                    "Shorten --max-wait, or let cycles overlap with --max-active 2 (or more).");
            }
        }
        else if (definition.Fallback != FallbackPolicy.None || definition.Fill != "none")
        {
            throw new ArgumentException("--fallback and --fill apply to a data trigger (--init PATTERN with the cycle time in it); with --init analytic there is no data to wait for.");
        }

        foreach (var (value, option) in new[] { (definition.MaxActive, "max-active"), (definition.MaxCatchUp, "max-catch-up"), (definition.Keep ?? 1, "keep") })
        {
            if (value < 1)
            {
                throw new ArgumentException($"--{option} must be an integer ≥ 1, not '{value}'.");
            }
        }

        if (definition.Expire is { } expire && expire <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--expire must be a positive duration (e.g. 12h), not {expire}.");
        }
    }

    /// <summary>
    /// A forecast starts on a whole UTC minute (its store counts minutes since 1970): every cycle time must be one. Five cron
    /// fields cannot name seconds, but a time zone whose offset has seconds (local mean time before 1972) could.
    /// </summary>
    private static void RequireWholeMinutes(ScheduleCron cron, DateTime nowUtc)
    {
        DateTime? t = nowUtc;
        for (var i = 0; i < 1000 && (t = cron.Next(t.Value)) is { } cycle; i++)
        {
            if (cycle.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                throw new ArgumentException(
                    $"Cron expression '{cron}' gives cycle times with seconds (e.g. {cycle:yyyy-MM-dd'T'HH:mm:ss}Z), but a forecast starts on a whole UTC minute: use a time zone whose offset is whole minutes.");
            }
        }
    }

    private static int Int(string? text, string option, int fallback, int min)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new ArgumentException($"--{option} must be an integer ≥ {min}, not '{text}'.");
    }
}
