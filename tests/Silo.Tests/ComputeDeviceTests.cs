using GraphCast.Orleans.Grains.Placement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace GraphCast.Orleans.Silo.Tests;

/// <summary>Compute:Device=auto picks CUDA when LibTorch sees it, a CUDA device the host lacks stops the silo, and the silo publishes its device.</summary>
public sealed class ComputeDeviceTests
{
    private static string? H200(int index) => "NVIDIA H200, 143771 MiB";

    [Fact]
    public void Auto_picks_the_first_cuda_device_when_there_is_one_and_the_cpu_otherwise()
    {
        Assert.Equal(new ComputeDevice("cuda:0", "cuda:0 NVIDIA H200, 143771 MiB"), ComputeDevice.Resolve("auto", 2, H200));
        Assert.Equal(new ComputeDevice("cpu", "cpu"), ComputeDevice.Resolve("auto", 0, H200));
        Assert.Equal(new ComputeDevice("cuda:1", "cuda:1"), ComputeDevice.Resolve("cuda:1", 2, _ => null));
    }

    [Fact]
    public void A_cuda_device_the_host_lacks_is_one_line_naming_the_setting_and_the_devices_it_has()
    {
        Assert.Equal(
            "Compute:Device 'cuda:3': this host has 1 CUDA device (cuda:0): set Compute:Device to one of them, or auto.",
            Assert.Throws<SiloConfigurationException>(() => ComputeDevice.Resolve("cuda:3", 1, H200)).Message);
        Assert.Equal(
            "Compute:Device 'cuda:3': this host has 2 CUDA devices (cuda:0 to cuda:1): set Compute:Device to one of them, or auto.",
            Assert.Throws<SiloConfigurationException>(() => ComputeDevice.Resolve("cuda:3", 2, H200)).Message);
        Assert.Equal(
            "Compute:Device 'gpu' must be 'cpu', 'cuda:N' (e.g. cuda:0) or 'auto'.",
            Assert.Throws<SiloConfigurationException>(() => ComputeDevice.Resolve("gpu", 1, H200)).Message);
    }

    [Fact]
    public void On_this_cpu_build_cuda_3_stops_the_silo_before_it_starts()
    {
        var builder = Builder("cuda:3");
        var e = Assert.Throws<SiloConfigurationException>(() => builder.AddGraphCastSilo());
        Assert.Equal(
            "Compute:Device 'cuda:3': this host has no CUDA device that LibTorch can use (a -p:TorchBackend=cpu build, or no GPU or driver): set Compute:Device=cpu or auto, or run the CUDA build on a GPU node.",
            e.Message);
    }

    [Fact]
    public async Task Auto_on_this_cpu_build_runs_on_the_cpu_and_the_silo_publishes_its_device()
    {
        var builder = Builder("auto");
        builder.AddGraphCastSilo();
        Assert.Equal("cpu", builder.Configuration["Compute:Device"]);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var local = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            // The cache learns of the local silo's metadata as the silo joins, which may finish just after StartAsync returns.
            var cache = host.Services.GetRequiredService<ISiloMetadataCache>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!cache.GetSiloMetadata(local).Metadata.ContainsKey(ComputeSiloMetadata.DeviceKey) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var metadata = cache.GetSiloMetadata(local).Metadata;
            Assert.Equal("cpu", metadata[ComputeSiloMetadata.DeviceKey]);
            Assert.Equal("cpu", metadata[ComputeSiloMetadata.DeviceKindKey]);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static HostApplicationBuilder Builder(string device)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "compute-device-" + Guid.NewGuid().ToString("N"),
            ["Storage:LocalDirectory"] = Directory.CreateTempSubdirectory("gc-device-").FullName,
            ["Compute:Device"] = device,
        });
        return builder;
    }
}
