namespace GraphCast.Orleans.Storage.Clustering;

/// <summary>
/// Mutual TLS between silos and from clients to gateways (section <c>Cluster:Tls</c>): this process's certificate (PEM
/// certificate and key, or a PKCS#12 file whose password comes from the environment) and the certificate authority every
/// peer's certificate must chain to. All unset: no TLS (the local cluster on loopback). Set: every silo-to-silo and
/// client-to-gateway connection is TLS, both sides present a certificate, and one not issued by <see cref="CaPath"/> is
/// refused. Under Kubernetes the files come from a mounted Secret (cert-manager's <c>tls.crt</c>, <c>tls.key</c>,
/// <c>ca.crt</c>); nothing secret is in configuration files.
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>This process's certificate, PEM (with <see cref="KeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The private key of <see cref="CertificatePath"/>, PEM (PKCS#8, or RSA/EC).</summary>
    public string? KeyPath { get; set; }

    /// <summary>This process's certificate and key as one PKCS#12 (<c>.pfx</c>) file, instead of the PEM pair.</summary>
    public string? PfxPath { get; set; }

    /// <summary>
    /// The password of <see cref="PfxPath"/>: from the environment only (<c>GRAPHCAST_Cluster__Tls__PfxPassword</c>, e.g. a
    /// Secret's key as an environment variable), never a file in the repository or a manifest.
    /// </summary>
    public string? PfxPassword { get; set; }

    /// <summary>The certificate authority (PEM) that issued every silo's and client's certificate: the only one trusted.</summary>
    public string? CaPath { get; set; }

    /// <summary>Whether TLS is asked for (any of the paths set).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(KeyPath) || !string.IsNullOrWhiteSpace(PfxPath) || !string.IsNullOrWhiteSpace(CaPath);
}
