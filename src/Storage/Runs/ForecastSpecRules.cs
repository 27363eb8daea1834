using System.Globalization;
using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Storage.Runs;

/// <summary>
/// The checks of a forecast spec that need no model and no storage: run id, member and step counts, checkpoint cadence, init
/// time, perturbation amplitude and chunk codec. The run grain, the CLI and the HTTP API all apply these (the grain then checks
/// the model and its output variables), so a spec is refused with the same message wherever it is submitted.
/// </summary>
public static class ForecastSpecRules
{
    public const int MaxMembers = 10_000;
    public const int MaxSteps = 100_000;

    /// <summary>Every problem of <paramref name="spec"/>, in field order; empty when it passes.</summary>
    public static IReadOnlyList<ForecastSpecProblem> Problems(ForecastSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<ForecastSpecProblem>();
        try
        {
            RunLayout.ValidateRunId(spec.RunId);
        }
        catch (ArgumentException e)
        {
            problems.Add(new("runId", WithoutParameter(e)));
        }

        if (spec.Members is < 1 or > MaxMembers)
        {
            problems.Add(new("members", $"members must be between 1 and {MaxMembers}, not {spec.Members}."));
        }

        if (spec.Steps is < 1 or > MaxSteps)
        {
            problems.Add(new("steps", $"steps must be between 1 and {MaxSteps}, not {spec.Steps}."));
        }

        if (spec.CheckpointEvery < 1)
        {
            problems.Add(new("checkpointEvery", $"checkpoint-every must be at least 1, not {spec.CheckpointEvery}."));
        }

        if (spec.InitTime.Kind != DateTimeKind.Utc)
        {
            problems.Add(new("initTime", "The init time must be UTC (e.g. 2024-06-03T06:00Z)."));
        }
        else if (spec.InitTime.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            problems.Add(new(
                "initTime",
                $"The init time {spec.InitTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)} has seconds: a forecast starts on a whole minute (its store counts minutes since 1970). Give e.g. {spec.InitTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)}."));
        }

        if (spec.Perturbation.Kind != PerturbationKind.None && !(spec.Perturbation.Amplitude > 0))
        {
            problems.Add(new("perturb", "A perturbation needs a positive amplitude, e.g. gaussian:0.05."));
        }

        try
        {
            _ = ZarrCompressor.Parse(spec.Compression ?? "none");
        }
        catch (ArgumentException e)
        {
            problems.Add(new("compression", WithoutParameter(e)));
        }

        return problems;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> with the first problem's message when <paramref name="spec"/> has one.</summary>
    public static void Check(ForecastSpec spec)
    {
        if (Problems(spec) is [var first, ..])
        {
            throw new ArgumentException(first.Message);
        }
    }

    /// <summary>An argument exception's message without the " (Parameter 'x')" the runtime appends.</summary>
    internal static string WithoutParameter(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
