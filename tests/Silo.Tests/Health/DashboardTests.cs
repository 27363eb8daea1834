using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Silo.Tests.Health;

/// <summary>
/// The Orleans dashboard on a silo's health port: served at <c>/dashboard</c> when <c>Dashboard:Enabled</c> (its page and
/// the cluster's live data), absent by default, and refused with one line without a health port.
/// </summary>
public sealed class DashboardTests : IDisposable
{
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("gc-dashboard-");

    public void Dispose() => _storage.Delete(recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_dashboard_is_served_on_the_health_port_only_when_enabled(bool enabled)
    {
        var port = SiloHostExtensions.FreePort();
        using var host = Build(new Dictionary<string, string?>
        {
            ["Health:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Dashboard:Enabled"] = enabled ? "true" : null,
        });
        await host.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            var page = await http.GetAsync("/dashboard/");
            if (!enabled)
            {
                Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
                return;
            }

            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard/index.min.js")).StatusCode);

            // Its data comes from this silo's cluster: one silo, active (the dashboard gathers its counters periodically, so
            // the first answers right after start may not count the silo yet).
            var active = -1;
            for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); active != 1 && DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                var counters = await http.GetAsync("/dashboard/DashboardCounters");
                Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
                active = JsonDocument.Parse(await counters.Content.ReadAsStringAsync()).RootElement.GetProperty("totalActiveHostCount").GetInt32();
            }

            Assert.Equal(1, active);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);

            // The engine's meters are on the silo's counters page beside Orleans' own: a run submitted here shows up as
            // graphcast.runs.submitted once the next collection has read it.
            var hosts = JsonDocument.Parse(await http.GetStringAsync("/dashboard/DashboardCounters")).RootElement.GetProperty("hosts");
            var silo = hosts.EnumerateArray().Single().GetProperty("siloAddress").GetString()!;
            EngineTelemetry.RunsSubmitted.Add(3);
            string? submitted = null;
            for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); submitted is null && DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                var counters = JsonDocument.Parse(await http.GetStringAsync("/dashboard/SiloCounters/" + silo)).RootElement.EnumerateArray().ToArray();
                submitted = counters.Where(c => c.GetProperty("name").GetString() == "graphcast.runs.submitted").Select(c => c.GetProperty("value").GetString()).SingleOrDefault();
            }

            Assert.NotNull(submitted);
            Assert.True(double.Parse(submitted, CultureInfo.InvariantCulture) >= 3, submitted);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Enabling_the_dashboard_without_a_health_port_is_one_line_naming_both_settings()
    {
        var error = Assert.Throws<SiloConfigurationException>(() => Build(new Dictionary<string, string?> { ["Dashboard:Enabled"] = "true" }));
        Assert.Equal(
            "Dashboard:Enabled=true needs Health:Port: the dashboard is served at /dashboard on the health port. Set Health:Port (e.g. 8081), or Dashboard:Enabled=false.",
            error.Message);
    }

    private IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "dashboard-" + Guid.NewGuid().ToString("N"),
            ["Storage:LocalDirectory"] = _storage.FullName,
        });
        builder.Configuration.AddInMemoryCollection(settings.Where(kv => kv.Value is not null));
        builder.AddGraphCastSilo();
        return builder.Build();
    }
}
