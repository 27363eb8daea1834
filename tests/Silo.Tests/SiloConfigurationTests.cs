using GraphCast.Orleans.Grains.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Silo.Tests;

/// <summary>The silo's options are validated at start and bad values name the setting and the fix.</summary>
public sealed class SiloConfigurationTests
{
    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Theory]
    [InlineData("Cluster:Clustering", "zookeeper", "must be 'localhost' or 'azure-table'")]
    [InlineData("Cluster:SiloPort", "70000", "must be TCP ports")]
    [InlineData("Cluster:ClusterId", " ", "must not be empty")]
    public void Bad_cluster_settings_fail_before_the_silo_starts(string key, string value, string message)
    {
        var builder = Builder(new() { [key] = value });
        var e = Assert.Throws<OptionsValidationException>(() => builder.AddGraphCastSilo());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_table_clustering_needs_a_connection_string()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Builder(new() { ["Cluster:Clustering"] = "azure-table" }).AddGraphCastSilo());
        Assert.Contains("azure-table clustering needs exactly one of Cluster:ConnectionString", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu", "must be 'cpu' or 'cuda:N'")]
    [InlineData("cuda:x", "must be 'cpu' or 'cuda:N'")]
    public void Compute_devices_are_cpu_or_cuda_n(string device, string message)
    {
        var result = new ComputeOptionsValidator().Validate(null, new ComputeOptions { Device = device });
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new ComputeOptionsValidator().Validate(null, new ComputeOptions { Device = "cuda:1" }).Succeeded);
    }

    [Fact]
    public async Task A_silo_with_bad_storage_settings_refuses_to_start()
    {
        var builder = Builder(new()
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Storage:LocalDirectory"] = "/tmp/x",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        });
        builder.AddGraphCastSilo();
        using var host = builder.Build();
        var e = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Storage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Free_ports_are_loopback_ports_that_can_be_bound()
    {
        var port = SiloHostExtensions.FreePort();
        Assert.InRange(port, 1024, 65535);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
    }
}
