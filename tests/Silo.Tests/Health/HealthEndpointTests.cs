using System.Globalization;
using System.Net;
using GraphCast.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Silo.Tests.Health;

/// <summary>
/// A silo's <c>/healthz</c> and <c>/readyz</c> on <c>Health:Port</c>: ready once joined with storage answering and its
/// device usable; not ready, saying why, while its storage (Azurite) is stopped; ready again once it is back, with no
/// restart of the silo.
/// </summary>
public sealed class HealthEndpointTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Readiness_follows_storage_down_and_back_without_a_silo_restart()
    {
        var port = SiloHostExtensions.FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "health-" + Guid.NewGuid().ToString("N"),
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:Container"] = "health",
            ["Health:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Health:StorageTimeout"] = "00:00:03",
        });
        builder.AddGraphCastSilo();
        using var host = builder.Build();
        await host.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
        try
        {
            var (status, body) = await GetAsync(http, "/healthz");
            Assert.Equal((HttpStatusCode.OK, "alive\n"), (status, body));
            var ready = await WaitForAsync(http, HttpStatusCode.OK, "ready with storage up");
            var lines = ready.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("ready", lines[0]);
            Assert.Equal(["cluster: Healthy", "storage: Healthy", "device: Healthy"], lines[1..].Select(l => string.Join(':', l.Split(':')[..2])));
            Assert.Equal("device: Healthy: cpu usable", lines[3]);

            await azurite.Azurite.StopAsync();
            var down = await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "not ready with storage stopped");
            output.WriteLine(down);
            var storageLine = Assert.Single(down.Split('\n'), l => l.StartsWith("storage: ", StringComparison.Ordinal));
            Assert.StartsWith($"storage: Unhealthy: storage (", storageLine, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{azurite.Azurite.BlobPort}", storageLine, StringComparison.Ordinal);
            Assert.Contains(") did not answer", storageLine, StringComparison.Ordinal);
            Assert.DoesNotContain(AzuriteProcess.AccountKey, down, StringComparison.Ordinal);
            Assert.Contains("cluster: Healthy", down, StringComparison.Ordinal);
            // Alive all along: the process answers, so a liveness probe does not restart it.
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/healthz")).Status);

            await azurite.Azurite.RestartAsync();
            var back = await WaitForAsync(http, HttpStatusCode.OK, "ready again after storage restarted");
            Assert.StartsWith("ready\n", back, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls <c>/readyz</c> until it answers <paramref name="expected"/>; the timeout names what was awaited and the last answer.</summary>
    private static async Task<string> WaitForAsync(HttpClient http, HttpStatusCode expected, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var (status, body) = await GetAsync(http, "/readyz");
            if (status == expected)
            {
                return body;
            }

            last = $"{(int)status} {body}";
            await Task.Delay(250);
        }

        throw new TimeoutException($"/readyz was not {(int)expected} ({what}) within {Patience.TotalSeconds} s; last answer: {last}");
    }
}
