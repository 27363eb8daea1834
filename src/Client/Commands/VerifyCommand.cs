using GraphCast.Data.Verification;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast verify RUN --truth FILE [--climatology FILE] [--out FILE.csv]</c>: scores a run's forecast against truth from
/// any readable dataset (regridded to the forecast grid, matched by valid time), prints a table and writes a CSV.
/// </summary>
public static class VerifyCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = args.Positional.Count == 1 ? args.Positional[0]
            : throw new UsageException("'verify' needs one run id: graphcast verify RUN --truth FILE [--climatology FILE] [--out FILE.csv].");
        var truthPath = args.Required("truth", "--truth pl_regular_ll.nc");
        var climatologyPath = args.String("climatology");
        var csvPath = args.String("out");
        var open = RunStorage.From(args, "verify");
        args.RejectUnknown("verify");
        RunLayout.ValidateRunId(runId);

        var storage = await open(cancellationToken);
        var store = storage.Store;
        if (!await store.ExistsAsync(RunLayout.ForecastStore(runId) + "/.zmetadata", cancellationToken))
        {
            throw new UsageException($"There is no forecast of run '{runId}' in {storage.Description}. {storage.ListHint} lists the runs there.");
        }

        using var forecast = await ZarrForecastDataset.OpenAsync(store, RunLayout.ForecastStore(runId), cancellationToken);
        using var truth = await DataSources.OpenAsync(truthPath, cancellationToken);
        using var climatology = climatologyPath is null ? null : await DataSources.OpenAsync(climatologyPath, cancellationToken);
        var rows = ForecastVerification.Run(forecast, truth, climatology, forecast.Layout.InitTime);
        output.WriteLine($"Run {runId} (init {forecast.Layout.InitTime:yyyy-MM-dd HH:mm}Z, {forecast.Members} members) against {truthPath}" +
            (climatologyPath is null ? " (no climatology: no ACC)" : $", climatology {climatologyPath}"));
        output.Write(ForecastVerification.ToTable(rows));
        if (csvPath is not null)
        {
            await File.WriteAllTextAsync(csvPath, ForecastVerification.ToCsv(rows), cancellationToken);
            output.WriteLine($"Wrote {rows.Count} rows to {Path.GetFullPath(csvPath)}.");
        }

        return 0;
    }
}
