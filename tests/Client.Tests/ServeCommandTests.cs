using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using GraphCast.Orleans.Client.Cluster;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>
/// <c>graphcast serve --api-port N</c>: the served store takes runs over HTTP (a key from the environment, stored as its
/// hash), follows them as server-sent events, and stops cleanly on SIGTERM; without a key the option is one line.
/// </summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-serve-api-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Serve_with_an_api_port_takes_a_run_over_http_and_stops_cleanly_on_SIGTERM()
    {
        const string Key = "serve-test-key-5b1e";
        var port = GraphCast.Orleans.Silo.SiloHostExtensions.FreePort();
        var log = Path.Combine(_dir, "serve.log");
        var store = Path.Combine(_dir, "store");
        var pid = DetachedProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "graphcast"),
            ["serve", "--output", store, "--api-port", port.ToString(CultureInfo.InvariantCulture)],
            log,
            _dir,
            new Dictionary<string, string>
            {
                ["GRAPHCAST_Api__Keys__0__Name"] = "test",
                ["GRAPHCAST_Api__Keys__0__Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
                ["GRAPHCAST_Api__Keys__0__Role"] = "submit",
            });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(3) };
            http.DefaultRequestHeaders.Add("X-Api-Key", Key);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!await ReadyAsync(http))
            {
                Assert.True(DateTime.UtcNow < deadline, "serve's API did not become ready: " + (File.Exists(log) ? await File.ReadAllTextAsync(log) : "no log"));
                await Task.Delay(200);
            }

            using var submitted = await http.PostAsync("v1/runs", new StringContent("""{"runId": "served", "model": "tiny", "members": 1, "steps": 2}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            var events = await http.GetStringAsync("v1/runs/served/events");
            Assert.Equal(
                ["id: 1", "event: step", "id: 2", "event: step", "id: 2", "event: run", """data: {"runId":"served","state":"Completed","error":null}"""],
                events.Split('\n').Where(l => l.StartsWith("id: ", StringComparison.Ordinal) || l.StartsWith("event: ", StringComparison.Ordinal) || l.Contains("\"runId\"", StringComparison.Ordinal)));
            Assert.True(File.Exists(Path.Combine(store, "runs", "served", "run.json")));
        }
        finally
        {
            await DetachedProcess.StopAsync(pid, TimeSpan.FromSeconds(30));
        }

        var text = await File.ReadAllTextAsync(log);
        Assert.Contains($"HTTP API: http://localhost:{port}/v1/runs", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.EndsWith("Stopped.", text.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_an_api_port_but_no_key_is_one_line_saying_how_to_give_one()
    {
        var (code, _, error) = await Cli.RunAsync("serve", "--output", Path.Combine(_dir, "nokey"), "--api-port", "18099");
        Assert.Equal(2, code);
        Assert.StartsWith("graphcast: --api-port: Api:Enabled is true but no caller can authenticate: add Api:Keys", error, StringComparison.Ordinal);
        Assert.Contains("GRAPHCAST_Api__Keys__0__Sha256", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
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
