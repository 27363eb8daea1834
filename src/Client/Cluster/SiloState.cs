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

    /// <summary>The port of the silo's <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (<c>Health:Port</c>); 0 for none.</summary>
    public int HealthPort { get; set; }
}
