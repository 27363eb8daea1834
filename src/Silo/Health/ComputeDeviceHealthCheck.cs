using System.Runtime.InteropServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>
/// Ready when the compute device (<paramref name="device"/>, e.g. <c>cuda:0</c>, described as <paramref name="description"/>)
/// takes a one-element tensor (for CUDA: LibTorch still sees the device); a silo without compute (null device,
/// <c>Compute:Enabled=false</c>) has no device to check.
/// </summary>
internal sealed class ComputeDeviceHealthCheck(string? device, string? description) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (device is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no compute device (Compute:Enabled=false)"));
        }

        try
        {
            if (device != "cpu" && !cuda.is_available())
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"{description} is not usable: LibTorch sees no CUDA device"));
            }

            using var probe = zeros(1, device: new Device(device));
            return Task.FromResult(HealthCheckResult.Healthy($"{description} usable"));
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{description} is not usable ({e.Message.ReplaceLineEndings(" ")})"));
        }
    }
}
