using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using GraphCast.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GraphCast.Orleans.Api.Tests;

/// <summary>
/// A real silo (localhost clustering, a temporary local store, CPU) serving the HTTP API on a free port, with one key of each
/// role; tests talk to it over HTTP like any client.
/// </summary>
public sealed class ApiSilo : IAsyncDisposable
{
    public const string SubmitKey = "test-submit-key-4f1c9a";
    public const string ReadKey = "test-read-key-8d27b3";

    private readonly IHost _host;
    private readonly Task _started;

    private ApiSilo(IHost host, DirectoryInfo storage, int port, Task started)
    {
        _host = host;
        Storage = storage;
        Port = port;
        _started = started;
    }

    public DirectoryInfo Storage { get; }

    public int Port { get; }

    public IServiceProvider Services => _host.Services;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>
    /// Builds and starts the silo; <paramref name="settings"/> adds or overrides configuration, <paramref name="services"/>
    /// adds services after the silo's (a hosted service there starts after the silo). The start is awaited unless
    /// <paramref name="awaitStart"/> is false (see <see cref="WaitStartedAsync"/>).
    /// </summary>
    public static async Task<ApiSilo> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool awaitStart = true)
    {
        var storage = Directory.CreateTempSubdirectory("gc-api-");
        var port = SiloHostExtensions.FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "api-" + Guid.NewGuid().ToString("N"),
            ["Storage:LocalDirectory"] = storage.FullName,
            ["Compute:Device"] = "cpu",
            ["Engine:ManifestFlushInterval"] = "00:00:00.500",
            ["Api:Enabled"] = "true",
            ["Api:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Api:EventPollInterval"] = "00:00:00.100",
            ["Api:Keys:0:Name"] = "submitter",
            ["Api:Keys:0:Sha256"] = Sha256(SubmitKey),
            ["Api:Keys:0:Role"] = "submit",
            ["Api:Keys:1:Name"] = "reader",
            ["Api:Keys:1:Sha256"] = Sha256(ReadKey),
            ["Api:Keys:1:Role"] = "read",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddGraphCastSilo();
        services?.Invoke(builder.Services);
        var host = builder.Build();
        var started = host.StartAsync();
        if (awaitStart)
        {
            await started;
        }

        return new ApiSilo(host, storage, port, started);
    }

    public Task WaitStartedAsync() => _started.WaitAsync(TimeSpan.FromMinutes(2));

    /// <summary>A client with <paramref name="key"/> in X-Api-Key (none when null).</summary>
    public HttpClient Client(string? key = SubmitKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _host.StopAsync(stop.Token);
        }
        finally
        {
            _host.Dispose();
            Storage.Delete(recursive: true);
        }
    }
}
