using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// Runs on every compute-capable silo: every <see cref="EngineOptions.SupervisorInterval"/> it reads the index of active runs
/// and pokes each run grain, which re-activates (anywhere) and makes sure its members run. This is what brings a run whose
/// silo died back without any client call, whatever silo held its grains; it needs no reminder table.
/// </summary>
public sealed partial class RunSupervisor(IGrainFactory grains, RunManifestStore manifests, IOptions<EngineOptions> options, ILogger<RunSupervisor> logger)
    : BackgroundService
{
    /// <summary>Completed sweeps (tests wait on it).</summary>
    public int Sweeps { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SupervisorInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // All runs at once: a poke that hangs on a silo that just died must not hold up the others.
                var runs = await manifests.ActiveRunsAsync(stoppingToken).ConfigureAwait(false);
                await Task.WhenAll(runs.Select(runId => grains.GetGrain<IForecastRunGrain>(runId).EnsureRunningAsync(stoppingToken))).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage or a silo may be briefly unavailable (that is when supervision matters): try again next tick.
                LogSweepFailed(e);
            }

            Sweeps++;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Supervisor sweep failed; retrying at the next interval")]
    private partial void LogSweepFailed(Exception e);
}
