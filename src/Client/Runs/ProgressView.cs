using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Storage.Faults;

namespace GraphCast.Orleans.Client.Runs;

/// <summary>Live per-member progress bars and the closing summary table of a run.</summary>
public static class ProgressView
{
    private const int BarWidth = 30;

    /// <summary>How long a watch keeps retrying a run it cannot reach before it gives up.</summary>
    private static readonly TimeSpan Unreachable = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Polls the run until it finishes, redrawing one bar per member (plain lines when output is redirected). A gateway
    /// that dies is ridden out (the client's gateway list comes from the membership table, so the next poll goes through
    /// another); a cluster that stays unreachable for 2 min is one <see cref="ClusterException"/>. <paramref name="stall"/>
    /// (on a cluster): a run that stops moving while no active silo hosts its members ends the watch with its report.
    /// </summary>
    public static async Task<RunStatus> WatchAsync(IForecastRunGrain run, TextWriter output, CancellationToken cancellationToken, RunStallCheck? stall = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var lastPrinted = new Dictionary<int, (int Step, MemberState State)>();
        string? lastWaiting = null;
        var waitingLine = false;
        var drawn = 0;
        DateTime? unreachableSince = null;
        while (true)
        {
            RunStatus status;
            try
            {
                status = await run.GetStatusAsync(cancellationToken) ?? throw new InvalidOperationException("The run disappeared.");
                unreachableSince = null;
            }
            catch (Exception e) when (TransientFaults.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                // A gateway or the run's silo just died: the cluster re-activates the run elsewhere; keep watching.
                unreachableSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - unreachableSince > Unreachable)
                {
                    throw new ClusterException(
                        $"Lost the cluster while following run {run.GetPrimaryKeyString()}: no gateway answered for {Unreachable.TotalMinutes:0} min ({ExitCodes.OneLine(e.GetBaseException().Message)}). " +
                        $"The run goes on if the cluster is up: 'graphcast cluster status' shows its processes, 'graphcast watch {run.GetPrimaryKeyString()} --cluster' follows it again.", e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                continue;
            }

            if (interactive)
            {
                if (drawn > 0)
                {
                    output.Write($"\x1b[{drawn}A");
                }

                foreach (var m in status.Members)
                {
                    output.WriteLine(Bar(m, status.Spec.Steps) + "\x1b[K");
                }

                // The waiting line stays in the redrawn block (blank once the members start), so the bars never move.
                waitingLine |= status.Waiting is not null;
                if (waitingLine)
                {
                    output.WriteLine((status.Waiting is null ? "" : "Waiting: " + status.Waiting) + "\x1b[K");
                }

                drawn = status.Members.Count + (waitingLine ? 1 : 0);
            }
            else
            {
                if (status.Waiting is not null && status.Waiting != lastWaiting)
                {
                    output.WriteLine("Waiting: " + status.Waiting);
                }

                lastWaiting = status.Waiting;
                foreach (var m in status.Members)
                {
                    if (!lastPrinted.TryGetValue(m.Member, out var last) || last != (m.Step, m.State))
                    {
                        output.WriteLine(Bar(m, status.Spec.Steps));
                        lastPrinted[m.Member] = (m.Step, m.State);
                    }
                }
            }

            if (status.IsFinished)
            {
                return status;
            }

            if (stall is not null && await StalledAsync(stall, status, cancellationToken) is { } report)
            {
                throw new RunStalledException(report);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private static async Task<string?> StalledAsync(RunStallCheck stall, RunStatus status, CancellationToken cancellationToken)
    {
        try
        {
            return await stall.CheckAsync(status, cancellationToken);
        }
        catch (Exception e) when (TransientFaults.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            // The membership could not be read just now (a gateway died): ask again at the next poll.
            return null;
        }
    }

    public static string Bar(MemberProgress m, int steps)
    {
        var filled = steps == 0 ? 0 : (int)Math.Round(BarWidth * (double)m.Step / steps);
        var bar = new string('█', filled) + new string('░', BarWidth - filled);
        return string.Create(CultureInfo.InvariantCulture, $"member {m.Member,3} [{bar}] {m.Step,4}/{steps} {m.State,-9} {(m.LastStepSeconds > 0 ? $"{m.LastStepSeconds:F2} s/step" : "")}{(m.Error is null ? "" : " " + m.Error)}");
    }

    /// <summary>Per-member steps and step times, the run's wall time, and where the forecast is.</summary>
    public static void Summary(RunStatus status, TextWriter output, TimeSpan wall)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine("member  steps  resumed  step time (mean)  step time (total)  state      silo");
        foreach (var m in status.Members)
        {
            var computed = m.Step - m.ResumedFrom;
            var mean = computed > 0 ? m.TotalStepSeconds / computed : 0;
            output.WriteLine(string.Create(c, $"{m.Member,6}  {m.Step,5}  {m.ResumedFrom,7}  {mean,14:F3} s  {m.TotalStepSeconds,15:F2} s  {m.State,-9}  {m.Silo}"));
        }

        output.WriteLine(string.Create(c, $"Run {status.RunId}: {status.State} in {wall.TotalSeconds:F1} s wall."));
        if (status.Error is not null)
        {
            output.WriteLine($"Error: {status.Error}");
        }

        output.WriteLine($"Forecast (Zarr v2, open with xarray.open_zarr): {status.ForecastLocation}");
    }

    /// <summary>Waits for the online ensemble statistics to include every committed member (before the embedded silo stops) and says where they are.</summary>
    public static async Task StatisticsAsync(IEngineConnection connection, string runId, RunStatus status, TextWriter output, CancellationToken cancellationToken)
    {
        var location = status.ForecastLocation is { } forecast && forecast.EndsWith("forecast.zarr", StringComparison.Ordinal)
            ? forecast[..^"forecast.zarr".Length] + "stats.zarr"
            : "stats.zarr beside the forecast";
        try
        {
            var counts = await RunStatistics.SettleAsync(connection.Grains, runId, status.Spec.Steps, untilDone: !connection.RunsOutliveClient, cancellationToken);
            output.WriteLine($"Ensemble mean and spread (Zarr v2): {location}; members per step: {string.Join(" ", counts)}");
        }
        catch (Exception e) when (connection.RunsOutliveClient && TransientFaults.IsTransient(e))
        {
            // On a cluster the statistics grains finish on their own (they rebuild from the stored chunks): the run is done
            // whether or not this client waits for them.
            output.WriteLine($"Ensemble mean and spread (Zarr v2): {location}; still being completed by the cluster ({e.GetBaseException().Message.Split('.')[0]}).");
        }
    }
}
