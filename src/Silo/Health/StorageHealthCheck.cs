using GraphCast.Orleans.Storage.Blobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>
/// Ready when the run storage answers a metadata read within <see cref="HealthOptions.StorageTimeout"/>; not ready, with
/// the reason, while it does not. Asked afresh on every probe, so a silo is ready again as soon as its storage is back.
/// </summary>
internal sealed class StorageHealthCheck(IBlobStore storage, IOptions<HealthOptions> options) : IHealthCheck
{
    /// <summary>The blob asked about: whether it exists does not matter, only that storage answers.</summary>
    private const string Probe = "health/probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = options.Value.StorageTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await storage.ExistsAsync(Probe, deadline.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"storage ({storage.Location}) answers");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"storage ({storage.Location}) did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = string.Join(' ', e.GetBaseException().Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return HealthCheckResult.Unhealthy($"storage ({storage.Location}) did not answer ({reason})");
        }
    }
}
