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

    /// <summary>
    /// The address other silos and clients reach this silo at (an IP address or a host name this host resolves), written
    /// into the membership table. Unset: <c>POD_IP</c> when that variable is set (Kubernetes), else the host's primary
    /// non-loopback IPv4 address. Must be an address of this host. Ignored by <c>localhost</c> clustering (loopback).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Listen on every address of the host (the default, what a container or a multi-homed host needs); false listens on
    /// the advertised address only (the local cluster keeps its silos on loopback this way).
    /// </summary>
    public bool ListenOnAnyAddress { get; set; } = true;

    /// <summary>
    /// Running in a Kubernetes pod: Orleans' Kubernetes hosting names the silo after the pod, takes the cluster and service
    /// ids from <c>ORLEANS_CLUSTER_ID</c>/<c>ORLEANS_SERVICE_ID</c> when set, and declares silos of deleted pods dead (it
    /// needs the pod permissions of deploy/k8s/base/rbac.yaml). Membership stays in the <c>azure-table</c> table.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>
    /// How long the silo may take to stop on SIGTERM (members finish their step and leave, the silo leaves the cluster);
    /// unset keeps the host's default. Keep it below the pod's <c>terminationGracePeriodSeconds</c>.
    /// </summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Fast failure detection (≈2 s) for local clusters and tests; production keeps Orleans' conservative defaults.</summary>
    public bool FastFailureDetection { get; set; }

    /// <summary>Mutual TLS between silos and from clients to gateways (<c>Cluster:Tls</c>); off when unset.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();
}
