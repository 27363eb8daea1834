using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GraphCast.Orleans.Client.Hosting;

namespace GraphCast.Bench;

/// <summary>
/// <c>api</c>: requests per second of the HTTP API's <c>GET /v1/runs/{id}</c> while a forecast runs. An embedded silo (the
/// host <c>graphcast serve --api-port</c> runs) serves the API on a loopback port; the run is submitted over HTTP, then
/// <c>--concurrency</c> clients ask for its status back to back for <c>--seconds</c>. It reports requests/s, latency
/// percentiles, the run's committed steps before and after (so the figure is one of a run that was going), and the machine.
/// </summary>
internal static class ApiStatusBenchmark
{
    public static async Task<int> RunAsync(BenchArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var preset = arguments.Preset ?? "demo";
        var storage = Directory.CreateTempSubdirectory("gc-bench-api-");
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var port = GraphCast.Orleans.Silo.SiloHostExtensions.FreePort();
        try
        {
            await using var silo = await EmbeddedSilo.StartAsync(storage.FullName, null, cancellationToken, settings: new Dictionary<string, string?>
            {
                ["Api:Enabled"] = "true",
                ["Api:Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["Api:Keys:0:Name"] = "bench",
                ["Api:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
                ["Api:Keys:0:Role"] = "submit",
            });
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = arguments.Concurrency };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            var spec = $$"""{"runId": "bench-api", "model": "{{preset}}", "members": {{arguments.Members}}, "steps": {{arguments.Steps}}}""";
            using (var submitted = await http.PostAsync("v1/runs", new StringContent(spec, Encoding.UTF8, "application/json"), cancellationToken))
            {
                if (submitted.StatusCode != HttpStatusCode.Created)
                {
                    await output.WriteLineAsync($"submit answered {(int)submitted.StatusCode}: {await submitted.Content.ReadAsStringAsync(cancellationToken)}");
                    return 1;
                }
            }

            // Until the first step is committed, so the measurement is of a run that is stepping.
            long before;
            while ((before = await CommittedAsync(http, cancellationToken)) == 0)
            {
                await Task.Delay(100, cancellationToken);
            }

            var latencies = new List<double>[arguments.Concurrency];
            var failures = 0;
            var window = TimeSpan.FromSeconds(arguments.Seconds);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, arguments.Concurrency).Select(async c =>
            {
                var mine = latencies[c] = [];
                while (clock.Elapsed < window)
                {
                    var start = Stopwatch.GetTimestamp();
                    using var response = await http.GetAsync("v1/runs/bench-api", cancellationToken);
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }

                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }));
            var elapsed = clock.Elapsed.TotalSeconds;
            var after = await CommittedAsync(http, cancellationToken);
            var all = latencies.SelectMany(l => l).Order().ToArray();
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"GET /v1/runs/{{id}}: {all.Length / elapsed:F0} requests/s ({all.Length} in {elapsed:F1} s, {arguments.Concurrency} in flight, {failures} not 200); latency p50 {Percentile(all, 0.5):F2} ms, p95 {Percentile(all, 0.95):F2} ms, p99 {Percentile(all, 0.99):F2} ms"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"run: {preset}, {arguments.Members} members × {arguments.Steps} steps; committed member steps {before} before and {after} after the measurement"));
            await output.WriteLineAsync($"machine: {MachineInfo.Current()}");
            await http.PostAsync("v1/runs/bench-api/cancel", null, cancellationToken);
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            storage.Delete(recursive: true);
        }
    }

    private static async Task<long> CommittedAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("v1/runs/bench-api", cancellationToken);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        return json.GetProperty("committedSteps").GetInt64();
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
