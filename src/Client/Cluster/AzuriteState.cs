using System.Text.Json;
using System.Text.Json.Serialization;

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
}
