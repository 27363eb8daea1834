using System.Globalization;
using System.Text.RegularExpressions;

namespace GraphCast.Orleans.Storage.Runs;

/// <summary>The blob layout of runs (DESIGN §5): where a run's manifest, checkpoints and forecast live, and which run ids are allowed.</summary>
/// <remarks>
/// <code>
/// runs/{runId}/run.json
/// runs/{runId}/members/{member}/checkpoints/{step:D6}.safetensors
/// runs/{runId}/forecast.zarr/…
/// runs/{runId}/stats.zarr/…
/// </code>
/// Steps are zero-padded to six digits so that listing order is step order.
/// </remarks>
public static partial class RunLayout
{
    /// <summary>The prefix under which every run lives.</summary>
    public const string RunsPrefix = "runs/";

    /// <summary>The largest step a checkpoint name can hold (six digits: 684 years of 6-hour steps).</summary>
    public const int MaxStep = 999_999;

    /// <summary>The longest run id.</summary>
    public const int MaxRunIdLength = 128;

    private const string CheckpointExtension = ".safetensors";

    /// <summary>
    /// Throws unless <paramref name="runId"/> is 1–128 ASCII letters, digits, '.', '_' or '-', starting with a letter or
    /// digit: one blob-name segment that can never reach outside <c>runs/{runId}/</c> (no '/', no '..').
    /// </summary>
    /// <exception cref="ArgumentException">The message quotes the id and gives the rule.</exception>
    public static void ValidateRunId(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (!RunIdPattern().IsMatch(runId))
        {
            string shown = runId.Length > 200 ? runId[..200] + "…" : runId;
            throw new ArgumentException(
                $"'{shown}' is not a valid run id: use 1 to {MaxRunIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit " +
                "(for example 'demo-2024-01-01T00'). A run id is one path segment of the store, so '/' and '..' are refused.",
                nameof(runId));
        }
    }

    /// <summary><c>runs/{runId}/</c>: everything of one run.</summary>
    public static string RunPrefix(string runId)
    {
        ValidateRunId(runId);
        return $"{RunsPrefix}{runId}/";
    }

    /// <summary><c>runs/{runId}/run.json</c>: the run's spec and status manifest.</summary>
    public static string Manifest(string runId) => RunPrefix(runId) + "run.json";

    /// <summary><c>runs/{runId}/forecast.zarr</c>: the run's Zarr v2 forecast store (a prefix, without trailing '/').</summary>
    public static string ForecastStore(string runId) => RunPrefix(runId) + "forecast.zarr";

    /// <summary><c>runs/{runId}/stats.zarr</c>: the run's online ensemble statistics (mean, spread, member count per lead time).</summary>
    public static string StatisticsStore(string runId) => RunPrefix(runId) + "stats.zarr";

    /// <summary><c>runs/{runId}/regions/{region}/</c>: a forecast region's outputs and checkpoints (the name is checked by <c>RegionSpec</c>).</summary>
    public static string RegionPrefix(string runId, string region)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        if (!RunIdPattern().IsMatch(region) || region.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{region}' is not a valid region name: use letters, digits, '_' or '-'.", nameof(region));
        }

        return $"{RunPrefix(runId)}regions/{region}/";
    }

    /// <summary><c>runs/{runId}/regions/{region}/forecast.zarr</c>.</summary>
    public static string RegionForecastStore(string runId, string region) => RegionPrefix(runId, region) + "forecast.zarr";

    /// <summary><c>runs/{runId}/regions/{region}/stats.zarr</c>.</summary>
    public static string RegionStatisticsStore(string runId, string region) => RegionPrefix(runId, region) + "stats.zarr";

    /// <summary><c>runs/{runId}/regions/{region}/members/{member}/checkpoints/</c>.</summary>
    public static string RegionCheckpointPrefix(string runId, string region, int member)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(member);
        return string.Create(CultureInfo.InvariantCulture, $"{RegionPrefix(runId, region)}members/{member}/checkpoints/");
    }

    /// <summary><c>runs/{runId}/members/{member}/checkpoints/</c>.</summary>
    public static string CheckpointPrefix(string runId, int member)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(member);
        return string.Create(CultureInfo.InvariantCulture, $"{RunPrefix(runId)}members/{member}/checkpoints/");
    }

    /// <summary><c>runs/{runId}/members/{member}/checkpoints/{step:D6}.safetensors</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative or over <see cref="MaxStep"/>.</exception>
    public static string Checkpoint(string runId, int member, int step)
    {
        if (step is < 0 or > MaxStep)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Checkpoint steps run from 0 to {MaxStep}.");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{CheckpointPrefix(runId, member)}{step:D6}{CheckpointExtension}");
    }

    /// <summary>The step of a checkpoint blob name (<c>…/checkpoints/000012.safetensors</c> → 12); false for any other name.</summary>
    public static bool TryParseCheckpointStep(string blobName, out int step)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        string file = blobName[(blobName.LastIndexOf('/') + 1)..];
        step = -1;
        return file.Length == 6 + CheckpointExtension.Length
            && file.EndsWith(CheckpointExtension, StringComparison.Ordinal)
            && file.AsSpan(0, 6).ContainsAnyExceptInRange('0', '9') is false
            && int.TryParse(file.AsSpan(0, 6), NumberStyles.None, CultureInfo.InvariantCulture, out step);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex RunIdPattern();
}
