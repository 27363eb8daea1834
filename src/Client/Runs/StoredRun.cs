using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Runs;

/// <summary>
/// A run read back from storage for the commands that look at results (plot, export): its manifest and its forecast store,
/// from the local default storage (<c>--output DIR</c>, default <c>graphcast-output</c>) or a cluster's (<c>--cluster</c>).
/// </summary>
public sealed record StoredRun(IBlobStore Store, RunStatus Status, ZarrForecastReader Forecast)
{
    public string RunId => Status.RunId;

    public ForecastStoreLayout Layout => Forecast.Layout;

    /// <summary>Reads run <paramref name="runId"/> from the storage <paramref name="open"/> opens; every missing piece is a one-line error naming the fix.</summary>
    public static async Task<StoredRun> OpenAsync(string runId, Func<CancellationToken, Task<RunStorage>> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        try
        {
            RunLayout.ValidateRunId(runId);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }

        var storage = await open(cancellationToken).ConfigureAwait(false);
        var store = storage.Store;
        var full = storage.Description;
        var (status, _) = await new RunManifestStore(store).ReadAsync(runId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            throw new UsageException($"There is no run '{runId}' in {full}. {storage.ListHint} lists the runs there.");
        }

        ZarrForecastReader forecast;
        try
        {
            forecast = await ZarrForecastReader.OpenForRunAsync(store, runId, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            throw new UsageException($"Run '{runId}' has no forecast store yet ({RunLayout.ForecastStore(runId)} in {full}).");
        }

        return new StoredRun(store, status, forecast);
    }

    /// <summary>The variable named by <c>--var</c>.</summary>
    /// <summary>
    /// This run with the forecast store of its region <paramref name="region"/> (<c>runs/{id}/regions/{name}/forecast.zarr</c>)
    /// in place of the global one; null keeps the global store.
    /// </summary>
    public async Task<StoredRun> ForRegionAsync(string? region, CancellationToken cancellationToken)
    {
        if (region is null)
        {
            return this;
        }

        var names = Status.Spec.RegionNames;
        if (!names.Contains(region, StringComparer.Ordinal))
        {
            throw new UsageException(names.Count == 0
                ? $"--region {region}: run '{RunId}' has no regions (give them to 'graphcast forecast' with --region)."
                : $"--region {region}: run '{RunId}' has no region '{region}'; its regions: {string.Join(", ", names)}.");
        }

        var reader = await ZarrForecastReader.OpenAsync(Store, RunLayout.RegionForecastStore(RunId, region), cancellationToken);
        return this with { Forecast = reader };
    }

    public ForecastVariable Variable(string name) =>
        Layout.Variables.FirstOrDefault(v => v.Name == name) ?? throw new UsageException(
            $"--var {name}: run '{RunId}' has no variable '{name}'; it has {string.Join(", ", Layout.Variables.Select(v => v.Name))}.");

    /// <summary>The index of the pressure level <paramref name="level"/> (hPa) of <paramref name="variable"/>, or 0 for a surface variable.</summary>
    public int LevelIndex(ForecastVariable variable, int? level)
    {
        if (!variable.HasLevels)
        {
            return level is null ? 0 : throw new UsageException($"--level {level}: '{variable.Name}' is a surface variable; drop --level.");
        }

        if (level is null)
        {
            throw new UsageException($"'{variable.Name}' has pressure levels; add --level with one of {string.Join(", ", Layout.Levels)} (hPa).");
        }

        var index = Layout.Levels.ToList().IndexOf(level.Value);
        return index >= 0 ? index : throw new UsageException($"--level {level}: run '{RunId}' has levels {string.Join(", ", Layout.Levels)} (hPa); pick one of them.");
    }

    /// <summary>The 0-based index of <c>--step S</c> (1-based).</summary>
    public int StepIndex(int step) =>
        step >= 1 && step <= Layout.LeadTimesHours.Count
            ? step - 1
            : throw new UsageException($"--step {step}: run '{RunId}' has steps 1 to {Layout.LeadTimesHours.Count} (lead times {Layout.LeadTimesHours[0]} h to {Layout.LeadTimesHours[^1]} h).");

    /// <summary>The valid time of step index <paramref name="stepIndex"/>.</summary>
    public DateTime ValidTime(int stepIndex) => Layout.InitTime.AddHours(Layout.LeadTimesHours[stepIndex]);
}
