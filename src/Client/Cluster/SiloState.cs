namespace GraphCast.Orleans.Client.Cluster;

/// <summary>A local cluster's silo process.</summary>
public sealed class SiloState
{
    public string Name { get; set; } = "";

    public int Pid { get; set; }

    public bool Compute { get; set; } = true;

    public string Log { get; set; } = "";

    /// <summary>The address the silo listens on and advertises, when it is not the profile's (<c>Cluster:AdvertisedAddress</c>).</summary>
    public string? Address { get; set; }
}
