using System.Text.Json.Nodes;
using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// A run's ensemble statistics as a Zarr v2 store beside its forecast (<c>runs/{runId}/stats.zarr</c>), with the forecast's
/// coordinates less <c>member</c>: per output variable <c>{name}_mean</c> and <c>{name}_spread</c> (float32, dims lead_time,
/// [level,] lat, lon; one chunk per lead time) and <c>member_count</c> (int32 per lead time: how many members the statistics
/// of that lead time include).
/// </summary>
/// <remarks>
/// Metadata is written create-only (identical bytes are accepted, so every step's statistics grain may create it); a lead
/// time's chunks are replaced by the statistics passes of the one grain that owns that lead time, variable by variable,
/// <c>member_count</c> last. Missing chunks read as NaN (statistics) and 0 (count).
/// </remarks>
public sealed class EnsembleStatisticsStore
{
    /// <summary>The array of member counts per lead time.</summary>
    public const string MemberCountArray = "member_count";

    private readonly IBlobStore _store;

    private EnsembleStatisticsStore(IBlobStore store, string storePrefix, ForecastStoreLayout layout)
    {
        _store = store;
        StorePrefix = storePrefix;
        Layout = layout;
    }

    /// <summary>The store's blob prefix (<c>runs/{runId}/stats.zarr</c>).</summary>
    public string StorePrefix { get; }

    /// <summary>The layout of the forecast the statistics are of.</summary>
    public ForecastStoreLayout Layout { get; }

    /// <summary>The array holding <paramref name="statistic"/> of <paramref name="variable"/>.</summary>
    public static string ArrayName(string variable, EnsembleStatistic statistic) =>
        variable + (statistic == EnsembleStatistic.Mean ? "_mean" : "_spread");

    /// <summary>Creates (or checks) the statistics store of run <paramref name="runId"/> whose forecast has <paramref name="forecast"/>.</summary>
    /// <exception cref="ForecastStoreConflictException">A store with other metadata exists there.</exception>
    public static async Task<EnsembleStatisticsStore> CreateForRunAsync(IBlobStore store, string runId, ForecastStoreLayout forecast, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(forecast);
        var prefix = RunLayout.StatisticsStore(runId);
        var (files, consolidated) = Documents(forecast);
        await Task.WhenAll(files.Select(file => ZarrForecastWriter.CreateOrVerifyAsync(store, prefix, file.Key, file.Content, cancellationToken))).ConfigureAwait(false);
        await ZarrForecastWriter.CreateOrVerifyAsync(store, prefix, ZarrFormat.ConsolidatedKey, consolidated, cancellationToken).ConfigureAwait(false);
        return new EnsembleStatisticsStore(store, prefix, forecast);
    }

    /// <summary>The statistics store of run <paramref name="runId"/>, or null when it has none (a run from before statistics, or one no member has reached yet).</summary>
    public static async Task<EnsembleStatisticsStore?> OpenForRunAsync(IBlobStore store, string runId, ForecastStoreLayout forecast, CancellationToken cancellationToken = default)
    {
        var prefix = RunLayout.StatisticsStore(runId);
        return await store.ExistsAsync($"{prefix}/{ZarrFormat.ConsolidatedKey}", cancellationToken).ConfigureAwait(false)
            ? new EnsembleStatisticsStore(store, prefix, forecast)
            : null;
    }

    /// <summary>
    /// Replaces one statistic of one variable at step <paramref name="step"/> (0-based lead-time index) with
    /// <paramref name="littleEndian"/>: the chunk's <see cref="ForecastStoreLayout.ChunkLength"/> float32 values as bytes.
    /// </summary>
    public async Task WriteChunkAsync(int step, string variable, EnsembleStatistic statistic, byte[] littleEndian, CancellationToken cancellationToken = default)
    {
        CheckStep(step);
        var definition = Layout.Variable(variable);
        if (littleEndian.Length != Layout.ChunkLength(definition) * sizeof(float))
        {
            throw new ArgumentException($"A statistics chunk of '{variable}' has {Layout.ChunkLength(definition) * sizeof(float)} bytes; {littleEndian.Length} were given.", nameof(littleEndian));
        }

        await ReplaceAsync(ChunkKey(definition, statistic, step), littleEndian, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that the statistics of step <paramref name="step"/> (0-based) include <paramref name="memberCount"/> members:
    /// written after every variable's chunks of the step, so a count never describes chunks not yet written.
    /// </summary>
    public Task WriteMemberCountAsync(int step, int memberCount, CancellationToken cancellationToken = default)
    {
        CheckStep(step);
        ArgumentOutOfRangeException.ThrowIfNegative(memberCount);
        return ReplaceAsync($"{MemberCountArray}/{step}", ZarrFormat.LittleEndianBytes([memberCount]), cancellationToken);
    }

    /// <summary>The number of members the statistics of step <paramref name="step"/> (0-based) include; 0 before any.</summary>
    public async Task<int> ReadMemberCountAsync(int step, CancellationToken cancellationToken = default) =>
        await TryReadMemberCountAsync(step, cancellationToken).ConfigureAwait(false) ?? 0;

    /// <summary>The member count of step <paramref name="step"/> (0-based), or null when none was ever written (not even 0).</summary>
    public async Task<int?> TryReadMemberCountAsync(int step, CancellationToken cancellationToken = default)
    {
        CheckStep(step);
        var bytes = await ReadOrNullAsync($"{MemberCountArray}/{step}", cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ZarrFormat.Int32Values(bytes)[0];
    }

    /// <summary>One statistic of one variable at step <paramref name="step"/> (0-based), C order [level,] lat, lon; NaN before any member.</summary>
    public async Task<float[]> ReadAsync(string variable, EnsembleStatistic statistic, int step, CancellationToken cancellationToken = default)
    {
        CheckStep(step);
        var definition = Layout.Variable(variable);
        var length = Layout.ChunkLength(definition);
        var bytes = await ReadOrNullAsync(ChunkKey(definition, statistic, step), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            var missing = new float[length];
            Array.Fill(missing, float.NaN);
            return missing;
        }

        return bytes.Length == length * sizeof(float)
            ? ZarrFormat.Float32Values(bytes)
            : throw new InvalidDataException($"Statistics chunk '{StorePrefix}/{ChunkKey(definition, statistic, step)}' has {bytes.Length} bytes, not {length * sizeof(float)}.");
    }

    private static (List<(string Key, byte[] Content)> Files, byte[] Consolidated) Documents(ForecastStoreLayout forecast)
    {
        var attributes = new SortedDictionary<string, string>(forecast.Attributes, StringComparer.Ordinal)
        {
            ["ensemble_statistics"] = "Ensemble mean and spread (sample standard deviation, ddof=1) of the forecast in forecast.zarr, over the members counted in member_count.",
        };
        var documents = new ZarrStoreDocuments(attributes);
        documents.AddCoordinates(forecast, withMembers: false);
        foreach (var variable in forecast.Variables)
        {
            long[] shape = [.. forecast.ShapeOf(variable).Skip(1)];
            long[] chunks = [1, .. shape.Skip(1)];
            string[] dims = [.. forecast.DimensionsOf(variable).Skip(1)];
            foreach (var statistic in Enum.GetValues<EnsembleStatistic>())
            {
                documents.AddArray(
                    ArrayName(variable.Name, statistic),
                    ZarrFormat.Array(shape, chunks, ZarrFormat.Float32, nanFill: true),
                    new JsonObject
                    {
                        [ZarrFormat.DimensionsAttribute] = ZarrFormat.Strings(dims),
                        ["cell_methods"] = statistic == EnsembleStatistic.Mean ? "member: mean" : "member: standard_deviation",
                        ["coordinates"] = ForecastStoreLayout.TimeCoordinate,
                        ["long_name"] = $"ensemble {(statistic == EnsembleStatistic.Mean ? "mean" : "spread (standard deviation, ddof=1)")} of {variable.LongName}",
                        ["units"] = variable.Units,
                    });
            }
        }

        var count = ZarrFormat.Array([forecast.LeadTimesHours.Count], [1], ZarrFormat.Int32, nanFill: false);
        count["fill_value"] = 0;
        documents.AddArray(
            MemberCountArray,
            count,
            new JsonObject
            {
                [ZarrFormat.DimensionsAttribute] = ZarrFormat.Strings([ForecastStoreLayout.LeadTimeDimension]),
                ["long_name"] = "number of ensemble members included in the statistics",
            });
        return documents.Finish();
    }

    private static string ChunkKey(ForecastVariable variable, EnsembleStatistic statistic, int step) =>
        $"{ArrayName(variable.Name, statistic)}/{ZarrFormat.ChunkKey(variable.HasLevels ? [step, 0, 0, 0] : [step, 0, 0])}";

    private void CheckStep(int step)
    {
        if (step < 0 || step >= Layout.LeadTimesHours.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The store has steps 0 to {Layout.LeadTimesHours.Count - 1}.");
        }
    }

    private async Task ReplaceAsync(string key, byte[] content, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content, writable: false);
        await _store.WriteAsync($"{StorePrefix}/{key}", stream, ifMatchETag: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]?> ReadOrNullAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return (await _store.ReadAsync($"{StorePrefix}/{key}", cancellationToken).ConfigureAwait(false)).Data;
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }
}
