using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using GraphCast.Orleans.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace GraphCast.Orleans.Silo.Tests.Telemetry;

/// <summary>
/// A silo exports the engine's meter: Prometheus text on <c>/metrics</c> of its health port, and OTLP (HTTP/protobuf) to
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> when that is set, traces included. A real forecast runs on the silo; a local HTTP
/// listener stands in for the collector and keeps what it is sent.
/// </summary>
public sealed class TelemetryExportTests : IDisposable
{
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("gc-telemetry-");

    public void Dispose() => _storage.Delete(recursive: true);

    [Fact]
    public async Task Metrics_are_scraped_on_the_health_port_and_pushed_with_traces_over_otlp()
    {
        var healthPort = SiloHostExtensions.FreePort();
        var collectorPort = SiloHostExtensions.FreePort();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{collectorPort}/");
        collector.Start();
        using var stop = new CancellationTokenSource();
        var listening = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "telemetry-" + Guid.NewGuid().ToString("N"),
            ["Storage:LocalDirectory"] = _storage.FullName,
            ["Health:Port"] = healthPort.ToString(CultureInfo.InvariantCulture),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        builder.AddGraphCastSilo();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var spec = new ForecastSpec
            {
                RunId = "telemetry",
                Model = "tiny",
                InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc),
                Steps = 2,
                Members = 1,
            };
            var run = grains.GetGrain<IForecastRunGrain>(spec.RunId);
            await run.SubmitAsync(spec);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while ((await run.GetStatusAsync())?.State != RunState.Completed)
            {
                Assert.True(DateTime.UtcNow < deadline, "the run did not complete in 3 minutes");
                await Task.Delay(200);
            }

            // Prometheus text on the health port: the engine's counters with their tags, and Orleans' own meters.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{healthPort}") };
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var steps = metrics.Split('\n').Single(l => l.StartsWith("graphcast_member_steps_total{", StringComparison.Ordinal) && l.Contains("model=\"tiny\"", StringComparison.Ordinal));
            // name{labels} value [timestamp]
            Assert.Equal("2", steps[(steps.LastIndexOf('}') + 1)..].Trim().Split(' ')[0]);
            Assert.Contains("graphcast_runs_submitted_total", metrics, StringComparison.Ordinal);
            Assert.Contains("orleans_", metrics, StringComparison.Ordinal);

            // OTLP: both providers flushed; the collector got metrics and spans carrying the engine's names.
            Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
            Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
            string Text(string path) => string.Join('\n', received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));
            var traces = Text("/v1/traces");
            Assert.Contains("run.submit", traces, StringComparison.Ordinal);
            Assert.Contains("member.step", traces, StringComparison.Ordinal);
            Assert.Contains("forecast.write", traces, StringComparison.Ordinal);
            Assert.Contains("graphcast.member.steps", Text("/v1/metrics"), StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
            stop.Cancel();
            collector.Stop();
            await listening;
        }
    }
}
