using System.Collections.Concurrent;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// The engine's forecast output: each run's Zarr v2 store (<c>runs/{runId}/forecast.zarr</c>, see
/// <see cref="ZarrForecastWriter"/>), opened once per run on this silo; step <c>s</c> is lead-time index <c>s − 1</c>.
/// </summary>
public sealed class ZarrForecastStore(IBlobStore blobs) : IForecastStore
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ZarrForecastWriter>>> _writers = new(StringComparer.Ordinal);

    public string Location(string runId) => blobs is LocalDirectoryBlobStore local
        ? Path.Combine(local.Root, RunLayout.ForecastStore(runId))
        : $"{RunLayout.ForecastStore(runId)} in {blobs.Location}";

    public async Task CreateAsync(string runId, ForecastStoreLayout layout, CancellationToken cancellationToken = default)
    {
        var writer = await ZarrForecastWriter.CreateForRunAsync(blobs, runId, layout, cancellationToken).ConfigureAwait(false);
        _writers.TryAdd(runId, new Lazy<Task<ZarrForecastWriter>>(Task.FromResult(writer)));
    }

    public async Task WriteStepAsync(string runId, int member, int step, IReadOnlyDictionary<string, float[]> variables, CancellationToken cancellationToken = default)
    {
        var lazy = _writers.GetOrAdd(runId, id => new Lazy<Task<ZarrForecastWriter>>(() => ZarrForecastWriter.OpenAsync(blobs, RunLayout.ForecastStore(id))));
        ZarrForecastWriter writer;
        try
        {
            writer = await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _writers.TryRemove(runId, out _);
            throw;
        }

        using var activity = EngineTelemetry.Source.StartActivity("forecast.write");
        activity?.SetTag("graphcast.run_id", runId);
        activity?.SetTag("graphcast.member", member);
        activity?.SetTag("graphcast.step", step);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (name, data) in variables)
        {
            await writer.WriteChunkAsync(name, member, step - 1, data, cancellationToken).ConfigureAwait(false);
        }

        EngineTelemetry.ChunkWriteDuration.Record(clock.Elapsed.TotalSeconds);
    }
}
