using Microsoft.Extensions.Hosting;

namespace GraphCast.Orleans.Api;

/// <summary>
/// Whether the silo the API lives in can serve: its host has started (the silo joined its cluster) and is not stopping. The
/// API answers 503 with Retry-After otherwise; it starts before the silo joins, so callers learn to wait rather than fail.
/// </summary>
internal sealed class SiloReadiness(IHostApplicationLifetime lifetime)
{
    public bool IsReady => lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Why it is not ready, for the 503's detail.</summary>
    public string Reason => lifetime.ApplicationStopping.IsCancellationRequested
        ? "This silo is stopping: retry, and a load balancer sends you to another silo."
        : "This silo has not joined its cluster yet: retry after Retry-After seconds.";
}
