using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Schedules;

/// <summary>
/// Runs on every silo: soon after it starts, and every <see cref="ScheduleOptions.SweepInterval"/>, it lists the schedules in
/// storage and ticks each, so that a schedule whose in-memory reminder was lost with its silo (the embedded silo) is
/// activated and registers its reminder again. Ticks are idempotent, so several silos sweeping change nothing.
/// </summary>
public sealed partial class ScheduleSupervisor(IGrainFactory grains, ScheduleStore store, IOptions<ScheduleOptions> options, ILogger<ScheduleSupervisor> logger)
    : BackgroundService
{
    /// <summary>Completed sweeps (tests wait on it).</summary>
    public int Sweeps { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
                var names = await store.ListAsync(stoppingToken).ConfigureAwait(false);
                await Task.WhenAll(names.Select(n => grains.GetGrain<IForecastScheduleGrain>(n).TickAsync(stoppingToken))).ConfigureAwait(false);
                wait = options.Value.SweepInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The silo may not serve grains yet, or storage is briefly away: try again soon.
                LogSweepFailed(e);
                wait = TimeSpan.FromSeconds(5);
            }

            Sweeps++;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule sweep failed; retrying shortly")]
    private partial void LogSweepFailed(Exception e);
}
