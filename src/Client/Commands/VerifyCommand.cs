using System.CommandLine;
using GraphCast.Data.Verification;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast verify RUN --truth FILE [--climatology FILE] [--out FILE.csv] [--json]</c>: scores a run's forecast against
/// truth from any readable dataset (regridded to the forecast grid, matched by valid time), prints a table (or JSON) and
/// writes a CSV.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "Score a run against truth: latitude-weighted RMSE (ensemble mean and members), ACC, fair CRPS and spread-skill per variable, level and lead time (WeatherBench 2 definitions).");
        var runId = RunsCommands.RunIdArgument();
        var truth = CliOptions.Text("--truth", "The truth: a netCDF or GRIB file, or a forecast.zarr folder, regridded to the forecast grid and matched by valid time.", "FILE");
        truth.Required = true;
        var climatology = CliOptions.Text("--climatology", "A climatology file, for the anomaly correlation (ACC); without it there is no ACC.", "FILE");
        var csv = CliOptions.Text("--out", "Also write the scores to this CSV file.", "FILE.csv");
        var json = CliOptions.Flag("--json", "Print the scores as a JSON array (one object per variable, level and lead time) instead of a table.");
        command.Arguments.Add(runId);
        foreach (var option in new Option[] { truth, climatology, csv, json })
        {
            command.Options.Add(option);
        }

        var where = new RunsLocation(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(runId)!;
            var truthPath = parse.GetValue(truth)!;
            var climatologyPath = parse.GetValue(climatology);
            var csvPath = parse.GetValue(csv);
            var open = where.Storage(parse, "verify");
            if (csvPath is not null)
            {
                OutputPaths.RequireWritableFile(csvPath, "--out");
            }
            try
            {
                RunLayout.ValidateRunId(id);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(ExitCodes.OneLine(e.Message));
            }

            var storage = await open(cancellationToken);
            if (!await storage.Store.ExistsAsync(RunLayout.ForecastStore(id) + "/.zmetadata", cancellationToken))
            {
                throw new UsageException($"There is no forecast of run '{id}' in {storage.Description}. {storage.ListHint} lists the runs there.");
            }

            using var forecast = await ZarrForecastDataset.OpenAsync(storage.Store, RunLayout.ForecastStore(id), cancellationToken);
            using var truthData = await DataSources.OpenAsync(truthPath, cancellationToken);
            using var climatologyData = climatologyPath is null ? null : await DataSources.OpenAsync(climatologyPath, cancellationToken);
            var rows = ForecastVerification.Run(forecast, truthData, climatologyData, forecast.Layout.InitTime);
            var output = parse.InvocationConfiguration.Output;
            if (csvPath is not null)
            {
                await File.WriteAllTextAsync(csvPath, ForecastVerification.ToCsv(rows), cancellationToken);
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, rows.Select(r => new
                {
                    r.Variable,
                    r.LevelHpa,
                    LeadTimeHours = r.LeadTime.TotalHours,
                    r.ValidTime,
                    r.Score.Members,
                    RmseEnsembleMean = JsonOutput.Finite(r.Score.RmseOfMean),
                    Acc = r.Score.Acc is { } acc ? JsonOutput.Finite(acc) : null,
                    Crps = JsonOutput.Finite(r.Score.Crps),
                    Spread = JsonOutput.Finite(r.Score.Spread),
                    SpreadSkillRatio = JsonOutput.Finite(r.Score.SpreadSkillRatio),
                    RmseMembers = r.Score.RmseOfMembers.Select(JsonOutput.Finite),
                }));
                return 0;
            }

            output.WriteLine($"Run {id} (init {forecast.Layout.InitTime:yyyy-MM-dd HH:mm}Z, {forecast.Members} members) against {truthPath}" +
                (climatologyPath is null ? " (no climatology: no ACC)" : $", climatology {climatologyPath}"));
            output.Write(ForecastVerification.ToTable(rows));
            if (csvPath is not null)
            {
                output.WriteLine($"Wrote {rows.Count} rows to {Path.GetFullPath(csvPath)}.");
            }

            return 0;
        });
        return command;
    }
}
