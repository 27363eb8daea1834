using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GraphCast.Orleans.Storage.Clustering;

/// <summary>
/// The loaded <see cref="ClusterTlsOptions"/>: this process's certificate with its private key, and the one certificate
/// authority a peer's certificate must chain to. Silos and the cluster client hand both to Orleans' TLS
/// (<c>UseTls</c>, remote and client certificates required); <see cref="Validate"/> is the peer check. A peer is
/// identified by its CA, not by a host name: silos advertise pod addresses that change with every restart.
/// </summary>
public sealed class ClusterTls
{
    private ClusterTls(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The trusted certificate authority.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>
    /// Loads the certificates <paramref name="options"/> name, or returns null when TLS is not configured.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is missing, a file is absent or not what it should be; the message names the setting, the file and the fix.</exception>
    public static ClusterTls? Load(ClusterTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return null;
        }

        var pem = !string.IsNullOrWhiteSpace(options.CertificatePath) || !string.IsNullOrWhiteSpace(options.KeyPath);
        var pfx = !string.IsNullOrWhiteSpace(options.PfxPath);
        if (pem == pfx || (pem && (string.IsNullOrWhiteSpace(options.CertificatePath) || string.IsNullOrWhiteSpace(options.KeyPath))))
        {
            throw new ArgumentException(
                "Cluster:Tls needs this process's certificate as either Cluster:Tls:CertificatePath with Cluster:Tls:KeyPath (PEM) or Cluster:Tls:PfxPath (PKCS#12, its password in GRAPHCAST_Cluster__Tls__PfxPassword), not both or a half: set one, or unset every Cluster:Tls setting for no TLS.");
        }

        if (string.IsNullOrWhiteSpace(options.CaPath))
        {
            throw new ArgumentException("Cluster:Tls:CaPath is not set: name the PEM file of the certificate authority that issued every silo's and client's certificate (only it is trusted).");
        }

        var certificate = pem
            ? Read("Cluster:Tls:CertificatePath", options.CertificatePath!, path => X509Certificate2.CreateFromPemFile(path, Require("Cluster:Tls:KeyPath", options.KeyPath!)))
            : Read("Cluster:Tls:PfxPath", options.PfxPath!, path => X509CertificateLoader.LoadPkcs12FromFile(path, options.PfxPassword));
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"Cluster:Tls: the certificate '{certificate.Subject}' has no private key: give its key (Cluster:Tls:KeyPath, or a .pfx that holds it).");
        }

        var authority = Read("Cluster:Tls:CaPath", options.CaPath, X509CertificateLoader.LoadCertificateFromFile);
        return new ClusterTls(certificate, authority);
    }

    /// <summary>
    /// The peer check for Orleans' <c>TlsOptions.RemoteCertificateValidation</c>: the peer presented a certificate that chains
    /// to <see cref="Authority"/> (and only to it: the machine's trusted roots do not count), valid now, revocation not checked.
    /// </summary>
    public bool Validate(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var trusted = new X509Chain();
        trusted.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        trusted.ChainPolicy.CustomTrustStore.Add(Authority);
        trusted.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            trusted.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        return trusted.Build(certificate);
    }

    private static string Require(string setting, string path) =>
        File.Exists(path) ? path : throw new ArgumentException($"{setting} '{path}': no such file. Mount the certificate there (a Kubernetes Secret), or fix the path.");

    private static X509Certificate2 Read(string setting, string path, Func<string, X509Certificate2> load)
    {
        Require(setting, path);
        try
        {
            return load(path);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{setting} '{path}' could not be read as a certificate or key ({e.Message.TrimEnd('.')}): give a PEM or PKCS#12 file (and its password in GRAPHCAST_Cluster__Tls__PfxPassword).", e);
        }
    }
}
