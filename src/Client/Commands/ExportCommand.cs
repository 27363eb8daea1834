using System.CommandLine;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast export RUN --format netcdf|zarr [--out PATH]</c>: a local copy of a run's forecast, from any store (a local
/// folder or a cluster's storage) — a CF-1.8 netCDF-4 file, or the Zarr v2 store itself, copied blob by blob.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Write a local copy of a run's forecast: a CF-1.8 netCDF-4 file (ncdump, xarray and netCDF-C read it), or the Zarr v2 store itself (xarray.open_zarr).");
        var runId = RunsCommands.RunIdArgument();
        var format = CliOptions.Text("--format", "netcdf (CF-1.8 netCDF-4) or zarr (a copy of the run's forecast.zarr).", "netcdf|zarr");
        format.Required = true;
        format.CompletionSources.Add("netcdf", "zarr");
        var outPath = CliOptions.Text("--out", "Where to write it (default RUN.nc, or the folder RUN.zarr); an existing path is never overwritten for zarr.", "PATH");
        command.Arguments.Add(runId);
        var region = CliOptions.Text("--region", "Export the forecast of this region of the run (runs/RUN/regions/NAME/forecast.zarr) instead of the global one.", "NAME");
        command.Options.Add(format);
        command.Options.Add(outPath);
        command.Options.Add(region);
        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var kind = parse.GetValue(format)!;
            if (kind is not ("netcdf" or "zarr"))
            {
                throw new UsageException($"--format {kind}: use --format netcdf (CF-1.8 netCDF-4) or --format zarr (the Zarr v2 store).");
            }

            var open = where.Storage(parse, "export");
            var run = await (await StoredRun.OpenAsync(parse.GetValue(runId)!, open, cancellationToken)).ForRegionAsync(parse.GetValue(region), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            var given = parse.GetValue(outPath);
            if (kind == "zarr")
            {
                await CopyZarrAsync(run, given, output, cancellationToken);
            }
            else
            {
                await WriteNetCdfAsync(run, given, output, cancellationToken);
            }

            var missing = run.Status.Members.Count(m => m.Step < run.Status.Spec.Steps);
            if (missing > 0)
            {
                output.WriteLine($"Run {run.RunId} is {run.Status.State}: {missing} member(s) did not reach the last step; their missing values are NaN (_FillValue).");
            }

            return 0;
        });
        return command;
    }

    private static async Task WriteNetCdfAsync(StoredRun run, string? outPath, TextWriter output, CancellationToken cancellationToken)
    {
        var path = OutputPaths.RequireWritableFile(outPath ?? $"{run.RunId}.nc", "--out");
        await ForecastNetCdfExport.WriteAsync(run.Forecast, run.RunId, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["run_id"] = run.RunId,
            ["model"] = run.Status.Spec.Model,
            ["run_state"] = run.Status.State.ToString(),
        }, cancellationToken);
        output.WriteLine($"Wrote {path} (netCDF-4, CF-1.8): {run.Layout.Variables.Count} variables × {run.Layout.Members} members × {run.Layout.LeadTimesHours.Count} lead times, {new FileInfo(path).Length / 1024.0 / 1024.0:F1} MiB.");
    }

    /// <summary>
    /// Copies every blob of the run's forecast.zarr into a new folder: first into a temporary sibling, which is renamed
    /// into place once complete, so a failed copy leaves nothing behind and an existing path is never touched.
    /// </summary>
    private static async Task CopyZarrAsync(StoredRun run, string? outPath, TextWriter output, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(outPath ?? $"{run.RunId}.zarr");
        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new UsageException($"--out {outPath ?? target}: '{target}' already exists; remove it or pick another path (export never overwrites).");
        }

        if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            throw new UsageException($"--out {outPath}: the folder '{Path.GetDirectoryName(target)}' does not exist; create it or pick another path.");
        }

        OutputPaths.RequireWritableFolderPath(target, "--out");

        var prefix = run.Forecast.StorePrefix + "/";
        var blobs = await run.Store.ListAsync(prefix, cancellationToken);
        var partial = $"{target}.partial-{Environment.ProcessId}";
        long bytes = 0;
        try
        {
            foreach (var blob in blobs)
            {
                var file = Path.Combine(partial, blob.Name[prefix.Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                var source = await run.Store.OpenReadAsync(blob.Name, cancellationToken);
                await using (source.ConfigureAwait(false))
                {
                    await using var destination = File.Create(file);
                    await source.CopyToAsync(destination, cancellationToken);
                    bytes += destination.Length;
                }
            }

            Directory.Move(partial, target);
        }
        catch
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }

            throw;
        }

        output.WriteLine($"Wrote {target} (Zarr v2, open with xarray.open_zarr): {blobs.Count} files, {run.Layout.Variables.Count} variables × {run.Layout.Members} members × {run.Layout.LeadTimesHours.Count} lead times, {bytes / 1024.0 / 1024.0:F1} MiB.");
    }
}
