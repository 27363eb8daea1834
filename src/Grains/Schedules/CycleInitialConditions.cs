using GraphCast.Data.InitialConditions;
using GraphCast.Model.Geometry;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;

namespace GraphCast.Orleans.Grains.Schedules;

/// <summary>
/// A cycle's initial condition: its data found (a file on this machine or a blob in the store) and read completely into the
/// run's prepared initial condition with the same code as <c>graphcast forecast --init</c>, or, as a fallback, a warm start
/// from a previous cycle's forecast at the matching lead time.
/// </summary>
/// <remarks>
/// Reading data blocks (GRIB, netCDF and Zarr readers are synchronous), so it runs on the thread pool, off the grain's turn.
/// Preparing is idempotent: the same data gives the same bytes, and a cycle whose run already has a prepared initial
/// condition (an earlier attempt that crashed before its record was updated) takes that one, so every attempt submits
/// the same spec.
/// </remarks>
public sealed class CycleInitialConditions(IBlobStore blobs, ModelRegistry registry, RunManifestStore manifests)
{
    /// <summary>How many previous cycles a warm start looks back over (newest first).</summary>
    public const int WarmStartLookBack = 4;

    /// <summary>Looks for the data of <paramref name="cycle"/> and, when it reads completely, prepares the run's initial condition.</summary>
    public async Task<CycleData> TryPrepareAsync(ScheduleDefinition definition, CycleRecord cycle, CancellationToken cancellationToken)
    {
        var source = InitPattern.Resolve(definition.Init, cycle.CycleTime);
        if (await ExistingAsync(cycle.RunId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return new CycleData(existing, cycle.DataSource ?? source, null);
        }

        var local = InitPattern.IsLocalPath(source);
        var exists = local ? File.Exists(source) || Directory.Exists(source) : await blobs.ExistsAsync(source, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            return new CycleData(null, source, $"{Where(source, local)} is not there yet");
        }

        try
        {
            var initialCondition = await Task.Run(() => PrepareAsync(definition, cycle, source, local, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new CycleData(initialCondition, source, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Still being written, or not data the model can start from: the cycle keeps polling until max-wait says otherwise.
            return await ExistingAsync(cycle.RunId, cancellationToken).ConfigureAwait(false) is { } raced
                ? new CycleData(raced, source, null)
                : new CycleData(null, source, $"{Where(source, local)} does not read completely yet: {e.Message}");
        }
    }

    /// <summary>
    /// Prepares the initial condition of <paramref name="cycle"/> from the newest of <paramref name="previous"/> (completed
    /// cycles whose forecasts still exist, newest first) whose forecast holds the cycle's input frames.
    /// </summary>
    public async Task<CycleData> TryWarmStartAsync(ScheduleDefinition definition, CycleRecord cycle, IEnumerable<CycleRecord> previous, CancellationToken cancellationToken)
    {
        if (await ExistingAsync(cycle.RunId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return new CycleData(existing, cycle.DataSource ?? "an earlier warm start", null);
        }

        var reasons = new List<string>();
        foreach (var p in previous.Where(p => p.CycleTime < cycle.CycleTime).Take(WarmStartLookBack))
        {
            var lead = cycle.CycleTime - p.CycleTime;
            var source = $"the forecast of {p.RunId} at +{lead.TotalHours:0.##} h";
            try
            {
                var initialCondition = await Task.Run(() => WarmStartAsync(definition, cycle, p, cancellationToken), cancellationToken).ConfigureAwait(false);
                return new CycleData(initialCondition, source, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                reasons.Add($"{p.RunId}: {e.Message}");
            }
        }

        return new CycleData(null, "previous cycles", reasons.Count == 0
            ? "no completed earlier cycle with its forecast kept"
            : "no earlier forecast holds its input frames (" + string.Join("; ", reasons) + ")");
    }

    private async Task<string> PrepareAsync(ScheduleDefinition definition, CycleRecord cycle, string source, bool local, CancellationToken cancellationToken)
    {
        var (model, task) = registry.Describe(definition.Template.Model);
        var fill = FillPolicies.Parse(definition.Fill);
        string? spooled = null;
        try
        {
            var path = source;
            if (!local)
            {
                // Readers open files: the blob is copied to a temporary folder under its own file name, which the prepared
                // blob records as its source, so that the same data always prepares the same bytes.
                spooled = Path.Combine(Directory.CreateTempSubdirectory("graphcast-cycle-").FullName, Path.GetFileName(source));
                var blob = await blobs.OpenReadAsync(source, cancellationToken).ConfigureAwait(false);
                await using (blob.ConfigureAwait(false))
                {
                    var file = File.Create(spooled);
                    await using (file.ConfigureAwait(false))
                    {
                        await blob.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    }
                }

                path = spooled;
            }

            using var dataset = await DataSources.OpenAsync(path, cancellationToken).ConfigureAwait(false);
            var (initialCondition, _) = await new InitialConditionStore(blobs)
                .PrepareAsync(cycle.RunId, dataset, model, task, cycle.CycleTime, fill, cancellationToken: cancellationToken).ConfigureAwait(false);
            return initialCondition;
        }
        finally
        {
            if (spooled is not null)
            {
                Directory.Delete(Path.GetDirectoryName(spooled)!, recursive: true);
            }
        }
    }

    private async Task<string> WarmStartAsync(ScheduleDefinition definition, CycleRecord cycle, CycleRecord previous, CancellationToken cancellationToken)
    {
        var (model, task) = registry.Describe(definition.Template.Model);
        var (status, _) = await manifests.ReadAsync(previous.RunId, cancellationToken).ConfigureAwait(false);
        if (status is not { State: RunState.Completed })
        {
            throw new InvalidOperationException($"run {previous.RunId} is not completed ({status?.State.ToString() ?? "gone"}).");
        }

        var grid = GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        var store = new InitialConditionStore(blobs);
        IReadOnlyList<GraphCast.Model.Fields.GridFields> frames = InitialConditionStore.IsPrepared(status.Spec.InitialCondition)
            ? await store.ReadAsync(status.Spec, task, grid.GridLatitudes, grid.GridLongitudes, cancellationToken).ConfigureAwait(false)
            : [];
        var forecast = await ZarrForecastDataset.OpenAsync(blobs, RunLayout.ForecastStore(previous.RunId), cancellationToken).ConfigureAwait(false);
        using var dataset = new WarmStartDataset(forecast, frames, status.Spec.InitTime, task);
        var (initialCondition, _) = await store.PrepareAsync(cycle.RunId, dataset, model, task, cycle.CycleTime, FillPolicies.Parse(definition.Fill), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return initialCondition;
    }

    /// <summary>The prepared initial condition an earlier attempt stored for this run, if any.</summary>
    private async Task<string?> ExistingAsync(string runId, CancellationToken cancellationToken)
    {
        var name = InitialConditionStore.BlobName(runId);
        if (await blobs.GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is not { } properties)
        {
            return null;
        }

        if (properties.ContentSha256 is { } sha)
        {
            return InitialConditionStore.Prefix + sha;
        }

        var stream = await blobs.OpenReadAsync(name, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return InitialConditionStore.Prefix + Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    private string Where(string source, bool local) => local ? $"file {source}" : $"blob {source} in {blobs.Location}";
}
