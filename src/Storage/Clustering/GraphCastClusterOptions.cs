using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Storage.Clustering;

/// <summary>How the silo joins a cluster (section <c>Cluster</c>).</summary>
public sealed class GraphCastClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>Orleans cluster id (silos and clients with the same id form one cluster).</summary>
    public string ClusterId { get; set; } = "graphcast";

    /// <summary>Orleans service id (stable across deployments: keys persistent data).</summary>
    public string ServiceId { get; set; } = "graphcast";

    /// <summary><c>localhost</c> (one process, the embedded default) or <c>azure-table</c> (multi-silo, Azure Table storage).</summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>Azure Table storage connection string for <c>azure-table</c> clustering (from configuration only; never logged).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Azure Table service endpoint (e.g. <c>https://account.table.core.windows.net</c>) for <c>azure-table</c> clustering
    /// with <c>DefaultAzureCredential</c>, instead of <see cref="ConnectionString"/>.
    /// </summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The table client for <c>azure-table</c> clustering: by connection string, or by endpoint and Entra ID credential.</summary>
    public TableServiceClient CreateTableServiceClient() =>
        ConnectionString is { Length: > 0 } connection ? new TableServiceClient(connection) : new TableServiceClient(TableServiceUri, new DefaultAzureCredential());

    /// <summary>Silo-to-silo port; 0 picks a free one.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port; 0 picks a free one.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Fast failure detection (≈2 s) for local clusters and tests; production keeps Orleans' conservative defaults.</summary>
    public bool FastFailureDetection { get; set; }
}
