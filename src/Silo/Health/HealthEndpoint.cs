using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GraphCast.Orleans.Storage.Telemetry;
using OpenTelemetry.Metrics;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>
/// Serves <c>/healthz</c> (the process answers: liveness), <c>/readyz</c> (every check tagged <see cref="ReadyTag"/>:
/// joined, storage, device) and <c>/metrics</c> (Prometheus text: the GraphCast.Engine and Orleans meters) over HTTP on <c>Health:Port</c>, from a minimal ASP.NET Core host inside the silo process. It
/// starts before the silo joins (so a startup probe sees the process alive while <c>/readyz</c> says what it waits for)
/// and stops after the silo has left. <c>/readyz</c> answers 200 or 503 with one line per check: name, status, reason.
/// </summary>
internal sealed partial class HealthEndpoint(HealthCheckService checks, IOptions<HealthOptions> options, ILoggerFactory loggers, IServiceProvider silo) : IHostedService, IAsyncDisposable
{
    /// <summary>The tag of the checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    private readonly ILogger _logger = loggers.CreateLogger<HealthEndpoint>();
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.Port;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(HealthEndpoint).Assembly.GetName().Name });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Any, port));
        builder.Logging.ClearProviders();
        // The engine's and Orleans' meters are process-wide: this host's meter provider hears them for /metrics.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EngineTelemetry.Name, "Microsoft.Orleans")
            .AddPrometheusExporter());
        var dashboard = silo.GetService<SiloDashboard>();
        foreach (var type in dashboard?.Services ?? [])
        {
            builder.Services.AddSingleton(type, _ => silo.GetRequiredService(type));
        }

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        if (dashboard is not null)
        {
            // Grains, silos, calls and reminders of the cluster, from this silo (Dashboard:Enabled). No authentication:
            // like /metrics, the health port is for the cluster's network, not the public one.
            global::Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app, SiloDashboard.Route);
        }

        app.MapGet("/healthz", () => Results.Text("alive\n"));
        app.MapGet("/readyz", async (CancellationToken requestAborted) =>
        {
            var report = await checks.CheckHealthAsync(c => c.Tags.Contains(ReadyTag), requestAborted).ConfigureAwait(false);
            var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}");
            var ready = report.Status == HealthStatus.Healthy;
            return Results.Text(
                (ready ? "ready\n" : "not ready\n") + string.Join('\n', lines) + "\n",
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        // The silo checked that the port is free when it was configured (a port in use is one line naming Health:Port).
        _app = app;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        LogServing(_logger, port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoint: http://*:{Port}/healthz, /readyz and /metrics")]
    private static partial void LogServing(ILogger logger, int port);
}
