namespace GraphCast.Orleans.Client.Cluster;

/// <summary>A local cluster's Azurite: its process, ports and data folder.</summary>
public sealed class AzuriteState
{
    public int Pid { get; set; }

    public int BlobPort { get; set; }

    public int QueuePort { get; set; }

    public int TablePort { get; set; }

    public string DataDirectory { get; set; } = "";

    public string Log { get; set; } = "";

    /// <summary>The Azurite launcher this cluster runs (restarts use the same one).</summary>
    public string? Executable { get; set; }
}
