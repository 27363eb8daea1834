using GraphCast.Orleans.Client.Cluster;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// A real local cluster for the system tests: Azurite and three silo processes (silo-1 and silo-2 with compute, silo-3
/// without), started once per test class in a temporary folder, and every process stopped and the folder deleted after.
/// </summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("gc-cluster-").FullName;

    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        Cluster = await LocalCluster.UpAsync(Directory, silos: 3, withoutCompute: 1, TextWriter.Null, timeout.Token);
    }

    /// <summary>Re-reads the cluster profile (after a command in this process changed it, e.g. <c>cluster add-silo</c>).</summary>
    public void Reload() => Cluster = LocalCluster.Open(Directory);

    /// <summary>Starts any silo of the fixture that a test killed, and waits until all three are members again.</summary>
    public async Task RestoreAsync()
    {
        var restarted = Cluster.Profile.Silos.Where(s => !DetachedProcess.IsAlive(s.Pid)).ToList();
        foreach (var silo in restarted)
        {
            Cluster.StartSilo(silo.Name, silo.Compute, silo.Address);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Cluster.WaitForSilosAsync(3, [.. restarted.Select(s => s.Name)], timeout.Token);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Cluster is not null)
            {
                await Cluster.DownAsync(TextWriter.Null);
            }
        }
        finally
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
