using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary><c>graphcast export RUN --format netcdf [--out FILE.nc]</c>: the run's forecast as a CF-1.8 netCDF-4 file.</summary>
public static class ExportCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var format = args.Required("format", "netcdf");
        var outPath = args.String("out");
        var run = await StoredRun.OpenAsync(args, "export", cancellationToken);
        args.RejectUnknown("export");
        if (format != "netcdf")
        {
            throw new UsageException(format == "zarr"
                ? (run.Store is LocalDirectoryBlobStore local
                    ? $"The forecast already is a Zarr store: {Path.Combine(local.Root, RunLayout.ForecastStore(run.RunId))}; copy that folder, or use --format netcdf."
                    : $"The forecast already is a Zarr store: {RunLayout.ForecastStore(run.RunId)} in {run.Store.Location}; copy it, or use --format netcdf.")
                : $"--format {format}: use --format netcdf (CF-1.8 netCDF-4).");
        }

        var path = Path.GetFullPath(outPath ?? $"{run.RunId}.nc");
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--out {outPath}: the folder '{directory}' does not exist; create it or pick another path.");
        }

        var missing = run.Status.Members.Count(m => m.Step < run.Status.Spec.Steps);
        await ForecastNetCdfExport.WriteAsync(run.Forecast, run.RunId, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["run_id"] = run.RunId,
            ["model"] = run.Status.Spec.Model,
            ["run_state"] = run.Status.State.ToString(),
        }, cancellationToken);
        output.WriteLine($"Wrote {path} (netCDF-4, CF-1.8): {run.Layout.Variables.Count} variables × {run.Layout.Members} members × {run.Layout.LeadTimesHours.Count} lead times, {new FileInfo(path).Length / 1024.0 / 1024.0:F1} MiB.");
        if (missing > 0)
        {
            output.WriteLine($"Run {run.RunId} is {run.Status.State}: {missing} member(s) did not reach the last step; their missing values are NaN (_FillValue).");
        }

        return 0;
    }
}
