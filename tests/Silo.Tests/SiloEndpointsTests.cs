using System.Net;
using System.Net.Sockets;
using GraphCast.Orleans.Storage.Clustering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace GraphCast.Orleans.Silo.Tests;

/// <summary>What a silo advertises and where it listens; an address that is not this host's, or a port in use, stops it with one line.</summary>
public sealed class SiloEndpointsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void A_configured_address_is_advertised_and_listened_on_alone_when_asked()
    {
        var endpoints = SiloEndpoints.Resolve(new GraphCastClusterOptions { AdvertisedAddress = "127.0.0.3", ListenOnAnyAddress = false, SiloPort = 0, GatewayPort = 0 }, NoEnvironment);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), endpoints.Advertised);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), endpoints.Listen);
        Assert.NotEqual(endpoints.SiloPort, endpoints.GatewayPort);
        using var listener = new TcpListener(endpoints.Listen, endpoints.SiloPort);
        listener.Start();
    }

    [Fact]
    public void A_host_name_is_resolved_and_the_silo_listens_on_any_address_by_default()
    {
        var endpoints = SiloEndpoints.Resolve(new GraphCastClusterOptions { AdvertisedAddress = "localhost", SiloPort = 0, GatewayPort = 0 }, NoEnvironment);
        Assert.Equal(IPAddress.Loopback, endpoints.Advertised);
        Assert.Equal(IPAddress.Any, endpoints.Listen);
    }

    [Fact]
    public void Pod_ip_is_advertised_when_no_address_is_configured_and_the_primary_address_otherwise()
    {
        var pod = SiloEndpoints.Resolve(new GraphCastClusterOptions { SiloPort = 0, GatewayPort = 0 }, v => v == "POD_IP" ? "127.0.0.4" : null);
        Assert.Equal(IPAddress.Parse("127.0.0.4"), pod.Advertised);

        var primary = SiloEndpoints.PrimaryAddress();
        Assert.NotNull(primary);
        Assert.False(IPAddress.IsLoopback(primary));
        Assert.Equal(primary, SiloEndpoints.Resolve(new GraphCastClusterOptions { SiloPort = 0, GatewayPort = 0 }, NoEnvironment).Advertised);
    }

    [Fact]
    public void An_advertised_address_that_is_not_this_hosts_stops_the_silo_naming_the_setting()
    {
        // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never an address of this host.
        var builder = Builder(new() { ["Cluster:AdvertisedAddress"] = "203.0.113.7" });
        var e = Assert.Throws<SiloConfigurationException>(() => builder.AddGraphCastSilo());
        Assert.StartsWith("Cluster:AdvertisedAddress '203.0.113.7' is not an address of this host (its addresses: 127.0.0.0/8", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("): advertise one of them, or leave Cluster:AdvertisedAddress unset to use POD_IP or the primary address.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        var pod = Assert.Throws<SiloConfigurationException>(() => SiloEndpoints.Resolve(new GraphCastClusterOptions(), v => v == "POD_IP" ? "not-an-ip" : null));
        Assert.Equal("POD_IP 'not-an-ip' is not an IP address: set it from the pod's status.podIP (downward API), or set Cluster:AdvertisedAddress.", pod.Message);
    }

    [Fact]
    public void A_port_in_use_stops_the_silo_naming_the_setting()
    {
        using var holder = new TcpListener(IPAddress.Any, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var builder = Builder(new() { ["Cluster:AdvertisedAddress"] = "127.0.0.1", ["Cluster:GatewayPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Cluster:SiloPort"] = "0" });
        var e = Assert.Throws<SiloConfigurationException>(() => builder.AddGraphCastSilo());
        Assert.Equal($"Cluster:GatewayPort {port} is already in use on 0.0.0.0: stop the process that holds it, or set Cluster:GatewayPort to a free port (0 picks one).", e.Message);
    }

    [Fact]
    public void Kubernetes_hosting_outside_a_pod_stops_the_silo_naming_the_setting()
    {
        Assert.Null(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));
        var builder = Builder(new() { ["Cluster:Kubernetes"] = "true" });
        var e = Assert.Throws<SiloConfigurationException>(() => builder.AddGraphCastSilo());
        Assert.Equal("Cluster:Kubernetes=true, but this process is not in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set): set Cluster:Kubernetes=false outside Kubernetes.", e.Message);
    }

    /// <summary>An azure-table silo's settings (the table is never reached: these fail before Orleans starts).</summary>
    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:Clustering"] = "azure-table",
            ["Cluster:ConnectionString"] = "UseDevelopmentStorage=true",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
