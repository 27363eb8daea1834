using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Silo;

/// <summary>Logs, as the silo starts, what it advertises, where it listens and the device it computes on.</summary>
internal sealed partial class SiloAnnouncement(SiloEndpoints endpoints, IServiceProvider services, ILogger<SiloAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var device = services.GetService<ComputeDevice>();
        LogStarted(logger, endpoints.Advertised.ToString(), endpoints.SiloPort, endpoints.GatewayPort, endpoints.Listen.ToString(), device?.Description ?? "none (Compute:Enabled=false)");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "GraphCast silo advertises {Advertised} (silo port {SiloPort}, gateway port {GatewayPort}), listens on {Listen}; compute device: {Device}")]
    private static partial void LogStarted(ILogger logger, string advertised, int siloPort, int gatewayPort, string listen, string device);
}
