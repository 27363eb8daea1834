using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Clustering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// An Orleans client of a running cluster, configured from its <c>cluster.json</c> (plus <c>GRAPHCAST_*</c> environment
/// variables): gateways found through the cluster's membership table, runs read from the cluster's storage.
/// </summary>
public sealed class ClusterConnection : IEngineConnection
{
    private readonly IHost _host;

    private ClusterConnection(IHost host, IBlobStore storage)
    {
        _host = host;
        Storage = storage;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    public IBlobStore Storage { get; }

    public bool RunsOutliveClient => true;

    /// <summary>Connects to the cluster of the profile in <paramref name="directoryOrFile"/>, retrying for up to <paramref name="timeout"/> (default 30 s).</summary>
    public static async Task<ClusterConnection> ConnectAsync(string directoryOrFile, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var profile = ClusterProfile.Load(directoryOrFile);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(profile.Configuration);
        builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter("Orleans", LogLevel.Critical);
        // A connection that fails is one line from the error boundary, not also the host's own log of it on stdout.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        var cluster = builder.Configuration.GetSection(GraphCastClusterOptions.SectionName).Get<GraphCastClusterOptions>() ?? new GraphCastClusterOptions();
        var validation = new GraphCastClusterOptionsValidator().Validate(null, cluster);
        if (validation.Failed)
        {
            throw new ArgumentException($"The cluster profile {ClusterProfile.PathOf(directoryOrFile)} is invalid: {validation.FailureMessage}");
        }

        ClusterTls? tls;
        try
        {
            tls = ClusterTls.Load(cluster.Tls);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The cluster profile {ClusterProfile.PathOf(directoryOrFile)}: {e.Message}", e);
        }

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        builder.UseOrleansClient(client =>
        {
            // A submit from this client starts the run's trace (when a listener samples it).
            client.AddActivityPropagation();
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (cluster.Clustering == "localhost")
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            }
            else
            {
                client.UseAzureStorageClustering(o => o.TableServiceClient = cluster.CreateTableServiceClient());
            }

            if (tls is not null)
            {
                // The cluster's gateways require a client certificate of the cluster's CA and show one themselves.
                client.UseTls(tls.Certificate, o =>
                {
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.CheckCertificateRevocation = false;
                    o.RemoteCertificateValidation = tls.Validate;
                });
            }

            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
            // Silos that are still starting (or a gateway that just died): keep trying until the deadline.
            client.UseConnectionRetryFilter(async (_, ct) =>
            {
                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(500, ct).ConfigureAwait(false);
                return true;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new ClusterException(
                $"Could not connect to the cluster of {ClusterProfile.PathOf(directoryOrFile)} ({e.Message}). Is it up? 'graphcast cluster status' shows its processes.", e);
        }

        var storageOptions = builder.Configuration.GetSection(BlobStoreOptions.SectionName).Get<BlobStoreOptions>() ?? new BlobStoreOptions();
        var storage = await BlobStoreFactory.CreateAsync(storageOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ClusterConnection(host, storage);
    }

    /// <summary>The number of silos that are active cluster members.</summary>
    public async Task<int> ActiveSilosAsync()
    {
        var hosts = await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false);
        return hosts.Count;
    }

    /// <summary>The addresses (<c>S127.0.0.1:port:generation</c>, as members report their silo) of the active silos.</summary>
    public async Task<IReadOnlySet<string>> ActiveSiloAddressesAsync(CancellationToken cancellationToken)
    {
        var hosts = await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        return hosts.Keys.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
