using GraphCast.Orleans.Client.Cluster;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>The compute silos of a local cluster share the machine's cores: an even share each, at least one thread.</summary>
public sealed class IntraOpThreadsTests
{
    [Theory]
    [InlineData(16, 1, 16)]
    [InlineData(16, 3, 5)]
    [InlineData(16, 4, 4)]
    [InlineData(2, 1, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(2, 3, 1)]
    public void Each_compute_silo_gets_an_even_share_of_the_cores(int cores, int computeSilos, int threads)
    {
        Assert.Equal(threads, LocalCluster.IntraOpThreadsPerSilo(cores, computeSilos));
    }
}
