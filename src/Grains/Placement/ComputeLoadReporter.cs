using GraphCast.Orleans.Grains.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Placement;

/// <summary>Every <see cref="EngineOptions.LoadReportInterval"/>: reports this silo's active members to the board and refreshes the local view.</summary>
public sealed partial class ComputeLoadReporter(
    IGrainFactory grains, ILocalSiloDetails silo, ComputeLoad load, ComputeLoadView view, IOptions<ComputeOptions> compute, IOptions<EngineOptions> engine,
    ILogger<ComputeLoadReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(engine.Value.LoadReportInterval);
        do
        {
            try
            {
                var members = load.Members;
                var mine = compute.Value.Enabled ? new SiloLoad(silo.SiloAddress, members.Count, DateTime.UtcNow, members) : null;
                view.Update(await grains.GetGrain<IComputeBoardGrain>(0).ReportAsync(mine).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The board's silo may be gone for a moment: placement works from the last view meanwhile.
                LogReportFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Compute load report failed; retrying at the next interval")]
    private partial void LogReportFailed(Exception e);
}
