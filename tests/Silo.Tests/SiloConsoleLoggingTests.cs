using System.Text;
using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GraphCast.Orleans.Silo.Tests;

/// <summary>
/// <c>Logging:Console:FormatterName=json</c>: a silo writes one JSON object per log entry, and a member's entries carry its
/// run id and member index as scope fields. A real forecast runs; the console is captured.
/// </summary>
public sealed class SiloConsoleLoggingTests : IDisposable
{
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("gc-jsonlog-");

    public void Dispose() => _storage.Delete(recursive: true);

    [Fact]
    public async Task Json_console_logs_carry_the_run_id_and_member_as_scope_fields()
    {
        var captured = new StringBuilder();
        var writer = TextWriter.Synchronized(new StringWriter(captured));
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(writer);
        Console.SetError(writer);
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Cluster:SiloPort"] = "0",
                ["Cluster:GatewayPort"] = "0",
                ["Cluster:ClusterId"] = "jsonlog-" + Guid.NewGuid().ToString("N"),
                ["Storage:LocalDirectory"] = _storage.FullName,
                ["Logging:Console:FormatterName"] = "json",
            });
            builder.Logging.AddGraphCastConsole(builder.Configuration).SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddGraphCastSilo();
            using (var host = builder.Build())
            {
                await host.StartAsync();
                var grains = host.Services.GetRequiredService<IGrainFactory>();
                var run = grains.GetGrain<IForecastRunGrain>("json-logs");
                await run.SubmitAsync(new ForecastSpec
                {
                    RunId = "json-logs",
                    Model = "tiny",
                    InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc),
                    Steps = 2,
                    Members = 2,
                });
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                while ((await run.GetStatusAsync(timeout.Token))!.State == RunState.Running)
                {
                    await Task.Delay(100, timeout.Token);
                }

                await host.StopAsync();
            }
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }

        // The console logger writes on its own thread; the host's disposal flushed it.
        var entries = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.True(e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _)));
        var completed = entries
            .Where(e => e.GetProperty("Category").GetString() == "GraphCast.Orleans.Grains.EnsembleMemberGrain" && e.GetProperty("Message").GetString()!.Contains("completed step 2", StringComparison.Ordinal))
            .Select(e => e.GetProperty("Scopes").EnumerateArray().Single(s => s.TryGetProperty("RunId", out _)))
            .Select(s => (s.GetProperty("RunId").GetString(), s.GetProperty("Member").GetInt32()))
            .Order()
            .ToList();
        Assert.Equal([("json-logs", 0), ("json-logs", 1)], completed);
    }
}
