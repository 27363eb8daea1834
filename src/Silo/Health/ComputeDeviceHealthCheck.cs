using System.Runtime.InteropServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>
/// Ready when the compute device takes a one-element tensor (for CUDA: LibTorch still sees the device); a silo without
/// compute (<c>Compute:Enabled=false</c>) has no device to check.
/// </summary>
internal sealed class ComputeDeviceHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService(typeof(ComputeDevice)) is not ComputeDevice device)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no compute device (Compute:Enabled=false)"));
        }

        try
        {
            if (device.Device != "cpu" && !cuda.is_available())
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"{device.Description} is not usable: LibTorch sees no CUDA device"));
            }

            using var probe = zeros(1, device: new Device(device.Device));
            return Task.FromResult(HealthCheckResult.Healthy($"{device.Description} usable"));
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{device.Description} is not usable ({e.Message.ReplaceLineEndings(" ")})"));
        }
    }
}
