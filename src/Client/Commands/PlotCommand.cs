using System.CommandLine;
using System.Globalization;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Plots;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Forecasts;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast plot RUN --var NAME [--level L] --step S [--member M | --mean | --spread] [--out FILE.png]</c>: a PNG map of
/// one member or of the ensemble mean or spread (from the run's stats.zarr, else computed from the forecast);
/// <c>graphcast plot RUN --var NAME [--level L] --plume --lat LAT --lon LON</c>: an ensemble plume at the nearest grid point.
/// </summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var command = new Command("plot", "A PNG map of one member, the ensemble mean or the spread at one step; or, with --plume, an ensemble plume at the grid point nearest --lat/--lon.");
        var runId = RunsCommands.RunIdArgument();
        var variable = CliOptions.Text("--var", "The variable, e.g. 2m_temperature or temperature.", "NAME");
        variable.Required = true;
        var level = CliOptions.OptionalInt("--level", "The pressure level (hPa) of an atmospheric variable.", 1, "HPA");
        var step = CliOptions.OptionalInt("--step", "The step to map (1 is the first 6 h lead time).", 1, "S");
        var member = CliOptions.OptionalInt("--member", "Map this member (default: the ensemble mean).", 0, "M");
        var mean = CliOptions.Flag("--mean", "Map the ensemble mean (the default).");
        var spread = CliOptions.Flag("--spread", "Map the ensemble spread (standard deviation, ddof = 1).");
        var plume = CliOptions.Flag("--plume", "Draw an ensemble plume over all steps at one grid point instead of a map.");
        var lat = CliOptions.Number("--lat", "With --plume: latitude (degrees north).", "51.5");
        var lon = CliOptions.Number("--lon", "With --plume: longitude (degrees east).", "-0.1");
        var outPath = CliOptions.Text("--out", "The PNG to write (default a name made of the run, variable, level, step and what is drawn).", "FILE.png");
        command.Arguments.Add(runId);
        foreach (var option in new Option[] { variable, level, step, member, mean, spread, plume, lat, lon, outPath })
        {
            command.Options.Add(option);
        }

        var where = new RunsLocation(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var isPlume = parse.GetValue(plume);
            var request = new Request(
                parse.GetValue(variable)!, parse.GetValue(level), isPlume, parse.GetValue(step), parse.GetValue(member), parse.GetValue(mean), parse.GetValue(spread),
                isPlume ? CliOptions.Require(parse.GetValue(lat), "--lat", "51.5") : null, isPlume ? CliOptions.Require(parse.GetValue(lon), "--lon", "-0.1") : null,
                parse.GetValue(outPath));
            return RunAsync(parse.GetValue(runId)!, where.Storage(parse, "plot"), request, parse.InvocationConfiguration.Output, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(string runId, Func<CancellationToken, Task<RunStorage>> open, Request r, TextWriter output, CancellationToken cancellationToken)
    {
        var (name, level, plume, step, member, mean, spread, lat, lon, outPath) = r;
        if (outPath is not null)
        {
            OutputPaths.RequireWritableFile(outPath, "--out");
        }

        var run = await StoredRun.OpenAsync(runId, open, cancellationToken);

        var variable = run.Variable(name);
        var levelIndex = run.LevelIndex(variable, level);
        var levelText = variable.HasLevels ? $" at {level} hPa" : string.Empty;
        var title = $"{variable.Name}{levelText} [{variable.Units}]";
        var fieldLength = run.Layout.Latitudes.Count * run.Layout.Longitudes.Count;
        if (plume)
        {
            if (step is not null || member is not null || mean || spread)
            {
                throw new UsageException("--plume draws every member, the mean and the spread over all steps; drop --step, --member, --mean and --spread.");
            }

            return await PlumeAsync(run, variable, levelIndex * fieldLength, title, lat!.Value, lon!.Value, outPath, output, cancellationToken);
        }

        if (step is null)
        {
            throw new UsageException($"--step is required, e.g. --step 1 (run '{run.RunId}' has steps 1 to {run.Layout.LeadTimesHours.Count}); or draw a plume with --plume --lat LAT --lon LON.");
        }

        if ((member is not null ? 1 : 0) + (mean ? 1 : 0) + (spread ? 1 : 0) > 1)
        {
            throw new UsageException("Give one of --member M, --mean or --spread.");
        }

        if (member >= run.Layout.Members)
        {
            throw new UsageException($"--member {member}: run '{run.RunId}' has members 0 to {run.Layout.Members - 1}.");
        }

        var stepIndex = run.StepIndex(step.Value);
        float[] field;
        string what;
        if (member is { } m)
        {
            if (!await run.Forecast.ChunkExistsAsync(variable.Name, m, stepIndex, cancellationToken))
            {
                throw new UsageException($"Member {m} of run '{run.RunId}' has not written step {step} ({run.Status.State}); 'graphcast status {run.RunId}' shows its progress.");
            }

            field = await run.Forecast.ReadChunkAsync(variable.Name, m, stepIndex, cancellationToken);
            what = $"member {m}";
        }
        else
        {
            var statistic = spread ? EnsembleStatistic.Spread : EnsembleStatistic.Mean;
            var (values, count, source) = await StatisticAsync(run, variable.Name, statistic, step.Value, cancellationToken);
            if (count == 0 || (statistic == EnsembleStatistic.Spread && count < 2))
            {
                throw new UsageException($"Step {step} of run '{run.RunId}' has {count} member(s) in the store: too few for an ensemble {(spread ? "spread" : "mean")}.");
            }

            field = values;
            what = $"ensemble {(spread ? "spread (std, ddof=1)" : "mean")} of {count} members ({source})";
        }

        var slice = field.AsSpan(levelIndex * fieldLength, fieldLength);
        var valid = run.ValidTime(stepIndex);
        var subtitle = string.Create(CultureInfo.InvariantCulture,
            $"{what} · valid {valid:yyyy-MM-dd HH:mm}Z (init {run.Layout.InitTime:yyyy-MM-dd HH:mm}Z + {run.Layout.LeadTimesHours[stepIndex]} h) · run {run.RunId}");
        var which = member is { } mm ? $"member{mm}" : spread ? "spread" : "mean";
        var path = outPath ?? $"{run.RunId}-{variable.Name}{(variable.HasLevels ? $"-{level}" : string.Empty)}-step{step}-{which}.png";
        OutputPaths.RequireWritableFile(path, "--out");
        FieldMap.Render(run.Layout.Latitudes, run.Layout.Longitudes, slice, title, subtitle, variable.Units, path);
        output.WriteLine($"Wrote {Path.GetFullPath(path)} ({FieldMap.Width}×{FieldMap.Height}): {title}, {what}, valid {valid:yyyy-MM-dd HH:mm}Z.");
        return 0;
    }

    private sealed record Request(string Variable, int? Level, bool Plume, int? Step, int? Member, bool Mean, bool Spread, double? Lat, double? Lon, string? Out);

    /// <summary>The statistic from stats.zarr when it counts any member at the step, else computed from the forecast's chunks of that variable alone.</summary>
    private static async Task<(float[] Values, int Count, string Source)> StatisticAsync(
        StoredRun run, string variable, EnsembleStatistic statistic, int step, CancellationToken cancellationToken)
    {
        var stats = await EnsembleStatisticsStore.OpenForRunAsync(run.Store, run.RunId, run.Layout, cancellationToken);
        if (stats is not null && await stats.ReadMemberCountAsync(step - 1, cancellationToken) is > 0 and var count)
        {
            return (await stats.ReadAsync(variable, statistic, step - 1, cancellationToken), count, "stats.zarr");
        }

        // Only the plotted variable is read, member by member: the same fold a statistics pass makes for that variable.
        var offline = new EnsembleStepStatistics(run.Forecast, step);
        var members = await offline.CompleteMembersAsync(cancellationToken);
        var (mean, spread) = await offline.ComputeAsync(variable, members, cancellationToken);
        return (statistic == EnsembleStatistic.Mean ? mean : spread, members.Count, "computed from forecast.zarr");
    }

    private static async Task<int> PlumeAsync(
        StoredRun run, ForecastVariable variable, int offset, string title, double lat, double lon, string? outPath, TextWriter output, CancellationToken cancellationToken)
    {
        if (lat is < -90 or > 90)
        {
            throw new UsageException($"--lat {lat.ToString(CultureInfo.InvariantCulture)}: a latitude is between -90 and 90.");
        }

        var layout = run.Layout;
        var i = Enumerable.Range(0, layout.Latitudes.Count).MinBy(k => Math.Abs(layout.Latitudes[k] - lat));
        var j = Enumerable.Range(0, layout.Longitudes.Count).MinBy(k => Math.Abs(((layout.Longitudes[k] - lon) % 360 + 540) % 360 - 180));
        var index = offset + (i * layout.Longitudes.Count) + j;
        var steps = layout.LeadTimesHours.Count;
        var members = new List<float[]>();
        for (var m = 0; m < layout.Members; m++)
        {
            var series = new float[steps];
            for (var s = 0; s < steps; s++)
            {
                // A step the member has not written reads as NaN and leaves a gap in its line.
                series[s] = (await run.Forecast.ReadChunkAsync(variable.Name, m, s, cancellationToken))[index];
            }

            members.Add(series);
        }

        var mean = new float[steps];
        var spread = new float[steps];
        for (var s = 0; s < steps; s++)
        {
            var moments = new EnsembleMoments(1);
            foreach (var series in members.Where(x => float.IsFinite(x[s])))
            {
                moments.Add([series[s]]);
            }

            (mean[s], spread[s]) = (moments.Mean()[0], moments.Spread()[0]);
        }

        if (mean.All(float.IsNaN))
        {
            throw new UsageException($"Run '{run.RunId}' has no step written yet; 'graphcast status {run.RunId}' shows its progress.");
        }

        var (gridLat, gridLon) = (layout.Latitudes[i], layout.Longitudes[j]);
        var subtitle = string.Create(CultureInfo.InvariantCulture,
            $"ensemble plume at {gridLat:0.##}°N {gridLon:0.##}°E (grid point nearest {lat:0.##}, {lon:0.##}) · init {layout.InitTime:yyyy-MM-dd HH:mm}Z · run {run.RunId}");
        var path = outPath ?? string.Create(CultureInfo.InvariantCulture, $"{run.RunId}-{variable.Name}-plume-{gridLat:0.##}_{gridLon:0.##}.png");
        OutputPaths.RequireWritableFile(path, "--out");
        EnsemblePlume.Render(layout.LeadTimesHours, members, mean, spread, title, subtitle, variable.Units, path);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {Path.GetFullPath(path)} ({EnsemblePlume.Width}×{EnsemblePlume.Height}): {title}, {layout.Members} members at {gridLat:0.##}°N {gridLon:0.##}°E."));
        return 0;
    }
}
