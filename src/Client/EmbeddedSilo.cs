using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Client;

/// <summary>
/// A silo hosted inside the CLI process with the local defaults: localhost clustering on free ports, a local directory as
/// storage, the CPU as compute. The zero-setup way to run a forecast.
/// </summary>
public sealed class EmbeddedSilo : IEngineConnection
{
    private readonly IHost _host;

    private EmbeddedSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host.Services;

    public IBlobStore Storage => _host.Services.GetRequiredService<IBlobStore>();

    public bool RunsOutliveClient => false;

    public static async Task<EmbeddedSilo> StartAsync(string outputDirectory, string? weightsDirectory, CancellationToken cancellationToken, string? normalizationStatsDirectory = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Clustering"] = "localhost",
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "graphcast-embedded-" + Environment.ProcessId,
            ["Storage:LocalDirectory"] = Path.GetFullPath(outputDirectory),
            ["Compute:Device"] = "cpu",
            ["Engine:ManifestFlushInterval"] = "00:00:00.500",
            ["Engine:SupervisorInterval"] = "00:00:05",
        };
        if (normalizationStatsDirectory is not null)
        {
            settings["Models:NormalizationStatsDirectory"] = Path.GetFullPath(normalizationStatsDirectory);
        }

        if (weightsDirectory is not null)
        {
            settings["Models:WeightsDirectory"] = weightsDirectory;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.AddGraphCastSilo();
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new EmbeddedSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _host.Dispose();
    }
}
