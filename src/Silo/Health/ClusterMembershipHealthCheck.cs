using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>Ready when this silo is an active member of its cluster (not while joining, nor once it is shutting down).</summary>
internal sealed class ClusterMembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{local.SiloAddress} is an active member of cluster {local.ClusterId}")
            : HealthCheckResult.Unhealthy($"{local.SiloAddress} is {status} in cluster {local.ClusterId}, not an active member"));
    }
}
