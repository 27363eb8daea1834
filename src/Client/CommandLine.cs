using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Commands;

namespace GraphCast.Orleans.Client;

/// <summary>Dispatches <c>graphcast</c> subcommands and turns user mistakes into one-line messages.</summary>
public static class CommandLine
{
    internal static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "json", "help", "cluster", "no-compute", "mean", "spread", "plume" };

    public const string Usage = """
        graphcast — GraphCast ensemble rollouts on Orleans

          graphcast forecast [--preset NAME | --checkpoint FILE.npz [--stats DIR]] [--members N] [--steps N] [--seed N]
                             [--init analytic | --init FILE --init-time ISO8601 [--fill none|interpolate|analytic|interpolate,analytic]]
                             [--perturb none|gaussian:AMP|correlated:AMP:LENGTH_KM]
                             [--checkpoint-every K] [--output DIR] [--run-id ID] [--variables a,b,...]
              Run an ensemble forecast on an embedded silo; the Zarr store lands in DIR/runs/ID/forecast.zarr.
              FILE: netCDF (3 or 4), GRIB 1/2 (needs libeccodes0) or a forecast.zarr folder; see docs/initial-conditions.md.
              With --cluster [--cluster-dir DIR]: submit to a running cluster instead (Ctrl-C detaches; the run goes on).
          graphcast runs | status RUN | watch RUN | cancel RUN | resume RUN   [--output DIR | --cluster [--cluster-dir DIR]]
              List runs, show one, follow one until it ends, cancel one, or continue an unfinished one from its
              members' latest checkpoints.
          graphcast cluster up [--silos N] [--no-compute-silos K] [--cluster-dir DIR] | cluster down | cluster status
                    | cluster add-silo [--no-compute] | cluster kill-silo NAME
              A local cluster of separate silo processes, Azure Table clustering and Blob storage on one Azurite
              (started and stopped with it); its profile, logs and data are in DIR (default .graphcast-cluster).
          graphcast silo --cluster-dir DIR --name NAME [--no-compute]
              One silo process of the cluster in DIR (cluster up starts these).
          graphcast plot RUN --var NAME [--level L] --step S [--member M | --mean | --spread] [--out FILE.png] [--output DIR | --cluster]
          graphcast plot RUN --var NAME [--level L] --plume --lat LAT --lon LON [--out FILE.png] [--output DIR | --cluster]
              A PNG map of one member, the ensemble mean or the spread at one step; or an ensemble plume at a grid point.
          graphcast export RUN --format netcdf [--out FILE.nc] [--output DIR | --cluster]
              The forecast as a CF-1.8 netCDF-4 file (ncdump, xarray and netCDF-C read it).
          graphcast verify RUN --truth FILE [--climatology FILE] [--out FILE.csv] [--output DIR | --cluster]
              Latitude-weighted RMSE (ensemble mean and members), ACC, fair CRPS and spread-skill per variable, level and lead time.
          graphcast demo [--preset tiny|demo] [--seed N] [--steps N]
              Init a preset with random weights and Apply it from the analytic baroclinic-wave state.
          graphcast model describe (--preset NAME | --checkpoint FILE.npz) [--json] [--graph-cache DIR]
              Parameter and tensor counts, mesh and grid graph sizes, channels, graph build time.
          graphcast tisr --time ISO8601 --lat DEG --lon DEG
              TOA incident solar radiation (J/m²) over the hour ending at the time.

        Presets: graphcast-0.25deg, graphcast-small, graphcast-operational, tiny, demo.
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, output, error, CancellationToken.None).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                output.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            return args[0] switch
            {
                "forecast" => await ForecastCommand.RunAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "runs" => await RunsCommands.ListAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "status" => await RunsCommands.StatusAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "resume" => await RunsCommands.ResumeAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "verify" => await VerifyCommand.RunAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "watch" => await RunsCommands.WatchAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "cancel" => await RunsCommands.CancelAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "cluster" => await ClusterCommands.RunAsync(args.Skip(1).ToArray(), output, cancellationToken),
                "silo" => await ClusterCommands.SiloAsync(new CliArguments(args.Skip(1), Flags), cancellationToken),
                "export" => await ExportCommand.RunAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "plot" => await PlotCommand.RunAsync(new CliArguments(args.Skip(1), Flags), output, cancellationToken),
                "demo" => DemoCommand.Run(new CliArguments(args.Skip(1), Flags), output),
                "tisr" => TisrCommand.Run(new CliArguments(args.Skip(1), Flags), output),
                "model" when args.Length > 1 && args[1] == "describe" => ModelDescribeCommand.Run(new CliArguments(args.Skip(2), Flags), output),
                "model" => throw new UsageException("'model' needs a subcommand: graphcast model describe --preset NAME."),
                _ => throw new UsageException($"Unknown command '{args[0]}'. Run 'graphcast help' for the commands."),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"graphcast: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("graphcast: cancelled.");
            return 130;
        }
        catch (ClusterException e)
        {
            error.WriteLine($"graphcast: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or KeyNotFoundException or DirectoryNotFoundException or DllNotFoundException)
        {
            error.WriteLine($"graphcast: {e.Message}");
            return 1;
        }
    }
}
