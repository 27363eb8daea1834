using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GraphCast.Orleans.Client.Cluster;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// The HTTP API on the real local cluster: Azurite and three silo processes, plus a fourth silo process without compute that
/// serves the API (<c>Api:Enabled</c>, a key from its environment). A run submitted over HTTP runs on the compute silos,
/// its events are followed to the end, and a committed step is fetched from the cluster's blob storage.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class ApiSystemTests(LocalClusterFixture fixture) : IClassFixture<LocalClusterFixture>
{
    [Fact]
    public async Task A_run_submitted_over_http_runs_on_the_cluster_and_is_followed_and_fetched()
    {
        const string Key = "cluster-api-key-93c1";
        var port = GraphCast.Orleans.Silo.SiloHostExtensions.FreePort();
        var log = Path.Combine(fixture.Directory, "api-1.log");
        var pid = DetachedProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "graphcast"),
            ["silo", "--cluster-dir", fixture.Directory, "--name", "api-1", "--no-compute"],
            log,
            fixture.Directory,
            new Dictionary<string, string>
            {
                ["GRAPHCAST_Api__Enabled"] = "true",
                ["GRAPHCAST_Api__Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["GRAPHCAST_Api__Keys__0__Name"] = "system-test",
                ["GRAPHCAST_Api__Keys__0__Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
                ["GRAPHCAST_Api__Keys__0__Role"] = "submit",
            });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(4) };
            http.DefaultRequestHeaders.Add("X-Api-Key", Key);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (!await ReadyAsync(http))
            {
                Assert.True(DateTime.UtcNow < deadline, "the API silo did not become ready: " + (File.Exists(log) ? await File.ReadAllTextAsync(log) : "no log"));
                await Task.Delay(250);
            }

            using var submitted = await http.PostAsync("v1/runs", new StringContent("""{"runId": "over-http", "model": "tiny", "members": 2, "steps": 2}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            var events = (await http.GetStringAsync("v1/runs/over-http/events")).Split('\n');
            var steps = events.Where(l => l.StartsWith("data: {\"member\"", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l[6..]).RootElement)
                .Select(e => (e.GetProperty("member").GetInt32(), e.GetProperty("step").GetInt32()))
                .Order()
                .ToList();
            Assert.Equal([(0, 1), (0, 2), (1, 1), (1, 2)], steps);
            Assert.Equal("id: 2*2", events.Last(l => l.StartsWith("id: ", StringComparison.Ordinal)));
            Assert.Contains("""data: {"runId":"over-http","state":"Completed","error":null}""", events);

            var status = JsonDocument.Parse(await http.GetStringAsync("v1/runs/over-http")).RootElement;
            Assert.Equal("Completed", status.GetProperty("state").GetString());
            // The members ran on compute silos, not on the API's silo (it has no compute).
            var apiSilo = (await File.ReadAllTextAsync(LocalCluster.AddressFile(ClusterProfile.PathOf(fixture.Directory), "api-1"))).Trim();
            Assert.All(status.GetProperty("members").EnumerateArray(), m => Assert.NotEqual(apiSilo, m.GetProperty("silo").GetString()));

            var field = JsonDocument.Parse(await http.GetStringAsync("v1/runs/over-http/members/1/steps/2?variables=2m_temperature")).RootElement;
            var values = field.GetProperty("variables").GetProperty("2m_temperature").GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(field.GetProperty("latitudes").GetArrayLength() * field.GetProperty("longitudes").GetArrayLength(), values.Length);
            Assert.All(values, v => Assert.True(float.IsFinite(v)));
        }
        finally
        {
            await DetachedProcess.StopAsync(pid, TimeSpan.FromSeconds(30));
        }

        Assert.DoesNotContain(Key, await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("healthz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
