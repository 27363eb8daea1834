using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Engine;
using GraphCast.Orleans.Grains.Storage;

namespace GraphCast.Orleans.Client.Commands;

/// <summary><c>graphcast runs</c>, <c>status RUN</c> and <c>resume RUN</c> against the embedded default's storage.</summary>
public static class RunsCommands
{
    public static async Task<int> ListAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var store = Store(args);
        args.RejectUnknown("runs");
        var runs = await new RunManifestStore(store).ListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            output.WriteLine($"No runs in {store.Location}.");
            return 0;
        }

        output.WriteLine("run id                            state      members  steps done   created (UTC)      model");
        foreach (var r in runs)
        {
            var done = r.Members.Sum(m => m.Step);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.RunId,-33} {r.State,-9}  {r.Spec.Members,7}  {done,5}/{r.Spec.Members * r.Spec.Steps,-5}  {r.CreatedUtc:yyyy-MM-dd HH:mm:ss}  {r.Spec.Model}"));
        }

        return 0;
    }

    public static async Task<int> StatusAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = RunId(args, "status");
        var store = Store(args);
        args.RejectUnknown("status");
        var (status, _) = await new RunManifestStore(store).ReadAsync(runId, cancellationToken);
        if (status is null)
        {
            throw new UsageException($"There is no run '{runId}' in {store.Location}. 'graphcast runs' lists the runs there.");
        }

        output.WriteLine($"Run {runId}: {status.State}; {status.Spec.Model}, {status.Spec.Members} members × {status.Spec.Steps} steps, created {status.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z");
        foreach (var m in status.Members)
        {
            output.WriteLine(ProgressView.Bar(m, status.Spec.Steps));
        }

        output.WriteLine($"Forecast: {status.ForecastLocation}");
        return 0;
    }

    public static async Task<int> ResumeAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var runId = RunId(args, "resume");
        var dir = args.String("output") ?? "graphcast-output";
        args.RejectUnknown("resume");
        var (existing, _) = await new RunManifestStore(new LocalDirectoryBlobStore(Path.GetFullPath(dir))).ReadAsync(runId, cancellationToken);
        if (existing is null)
        {
            throw new UsageException($"There is no run '{runId}' in {Path.GetFullPath(dir)}.");
        }

        await using var silo = await EmbeddedSilo.StartAsync(dir, null, cancellationToken);
        var run = silo.Grains.GetGrain<IForecastRunGrain>(runId);
        var watch = Stopwatch.StartNew();
        await run.ResumeAsync(cancellationToken);
        var status = await ProgressView.WatchAsync(run, output, cancellationToken);
        ProgressView.Summary(status, output, watch.Elapsed);
        await ProgressView.StatisticsAsync(silo, runId, status, output, cancellationToken);
        return status.State == RunState.Completed ? 0 : 1;
    }

    private static LocalDirectoryBlobStore Store(CliArguments args) =>
        new(Path.GetFullPath(args.String("output") ?? "graphcast-output"));

    private static string RunId(CliArguments args, string command) =>
        args.Positional.Count == 1 ? args.Positional[0] : throw new UsageException($"'{command}' needs one run id: graphcast {command} RUN_ID.");
}
