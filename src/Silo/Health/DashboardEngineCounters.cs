using System.Reflection;
using GraphCast.Orleans.Storage.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace GraphCast.Orleans.Silo.Health;

/// <summary>
/// Shows the engine's <c>GraphCast.Engine</c> meters on the Orleans dashboard's silo page (<c>Dashboard:Enabled</c>), beside
/// Orleans' own counters. The dashboard collects counters through an OpenTelemetry exporter of its own that it feeds only
/// with Orleans' meter and offers no option for others; this service builds a second meter provider for the engine's meter
/// and gives it a second instance of that exporter (so the two never share its state), which reports into the same silo
/// counters table (counters are merged by name there). The exporter type is internal to the dashboard package, so it is
/// found by name: with a dashboard version that lacks it the engine's counters are left off the dashboard with one warning
/// (Prometheus and OTLP still carry them), and <c>DashboardTests</c> fails.
/// </summary>
internal sealed partial class DashboardEngineCounters(IServiceProvider services, ILogger<DashboardEngineCounters> logger) : IHostedService, IDisposable
{
    /// <summary>The dashboard's exporter of counters into its silo table (internal to Orleans.Dashboard 10.4.2).</summary>
    internal const string ExporterTypeName = "Orleans.Dashboard.Implementation.DashboardTelemetryExporter";

    /// <summary>How often the engine's counters are read and reported, the dashboard's own interval.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var type = typeof(global::Orleans.Dashboard.DashboardOptions).Assembly.GetType(ExporterTypeName, throwOnError: false);
        if (type is null || !typeof(BaseExporter<Metric>).IsAssignableFrom(type))
        {
            LogExporterMissing(logger, ExporterTypeName);
            return Task.CompletedTask;
        }

        var exporter = (BaseExporter<Metric>)ActivatorUtilities.CreateInstance(services, type);
        var interval = (int)Interval.TotalMilliseconds;
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(EngineTelemetry.Name)
            .AddReader(new PeriodicExportingMetricReader(exporter, interval, interval))
            .Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard package has no {Exporter}: the engine's meters are not shown on the dashboard (/metrics and OTLP still carry them).")]
    private static partial void LogExporterMissing(ILogger logger, string exporter);
}
