using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Silo;
using GraphCast.Orleans.Storage.Clustering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// Mutual TLS (<c>Cluster:Tls</c>) between a real silo and the cluster client, with a certificate authority and
/// certificates made in the test: a client with a certificate of the cluster's CA connects and runs a forecast; a client
/// without TLS, or with a certificate of another CA, cannot connect (one line, exit 1), so nothing it would send reaches a
/// grain. Certificate settings that cannot work stop the silo and the client with one line naming the setting.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class ClusterTlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_tls_silo_admits_a_client_of_its_ca_and_refuses_one_without_tls_or_of_another_ca()
    {
        using var ca = Authority("GraphCast test cluster CA");
        using var otherCa = Authority("Someone else's CA");
        var caPem = WritePem("ca.crt", ca);
        var silo = Issue(ca, "silo", "silo");
        var client = Issue(ca, "client", "client");
        var stranger = Issue(otherCa, "stranger", "stranger");

        var gateway = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Clustering"] = "localhost",
            ["Cluster:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster:GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster:ClusterId"] = "tls",
            ["Cluster:ServiceId"] = "tls",
            ["Cluster:Tls:CertificatePath"] = silo.Certificate,
            ["Cluster:Tls:KeyPath"] = silo.Key,
            ["Cluster:Tls:CaPath"] = caPem,
            ["Storage:LocalDirectory"] = Path.Combine(_dir, "storage"),
            ["Models:GraphCacheDirectory"] = Path.Combine(_dir, "graphs"),
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddGraphCastSilo();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            // The right certificate: connected, and a forecast runs to the end.
            var trusted = Profile("trusted", gateway, new() { ["Cluster:Tls:CertificatePath"] = client.Certificate, ["Cluster:Tls:KeyPath"] = client.Key, ["Cluster:Tls:CaPath"] = caPem });
            await using (var connection = await ClusterConnection.ConnectAsync(trusted, CancellationToken.None, TimeSpan.FromSeconds(20)))
            {
                Assert.Equal(1, await connection.ActiveSilosAsync());
                var run = connection.Grains.GetGrain<IForecastRunGrain>("tls");
                await run.SubmitAsync(ClusterRuns.Spec("tls", members: 1, steps: 1));
                var done = await ClusterRuns.WaitAsync(run, s => s.IsFinished);
                Assert.Equal(RunState.Completed, done.State);
            }

            // No TLS at all, and a certificate of another CA: the connection is refused, one line, exit 1.
            var plain = Profile("plain", gateway, []);
            var foreign = Profile("foreign", gateway, new() { ["Cluster:Tls:CertificatePath"] = stranger.Certificate, ["Cluster:Tls:KeyPath"] = stranger.Key, ["Cluster:Tls:CaPath"] = caPem });
            foreach (var profile in new[] { plain, foreign })
            {
                var refused = await Assert.ThrowsAsync<ClusterException>(() => ClusterConnection.ConnectAsync(profile, CancellationToken.None, TimeSpan.FromSeconds(5)));
                output.WriteLine($"{Path.GetFileName(profile)}: {refused.Message}");
                Assert.StartsWith($"Could not connect to the cluster of {Path.Combine(profile, "cluster.json")} (", refused.Message, StringComparison.Ordinal);
                Assert.Equal(ExitCodes.Failed, ExitCodes.Classify(refused, cancelled: false)?.Code);
            }

            // A trusted client still gets through after the refusals, and sees only the run it submitted.
            await using (var connection = await ClusterConnection.ConnectAsync(trusted, CancellationToken.None, TimeSpan.FromSeconds(20)))
            {
                Assert.Equal(RunState.Completed, (await connection.Grains.GetGrain<IForecastRunGrain>("tls").GetStatusAsync())!.State);
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Certificate_settings_that_cannot_work_are_one_line_naming_the_setting()
    {
        using var ca = Authority("GraphCast test cluster CA");
        var caPem = WritePem("ca.crt", ca);
        var silo = Issue(ca, "silo", "silo");
        var missing = Path.Combine(_dir, "absent.crt");
        Assert.Equal(
            $"Cluster:Tls:CertificatePath '{missing}': no such file. Mount the certificate there (a Kubernetes Secret), or fix the path.",
            Assert.Throws<ArgumentException>(() => ClusterTls.Load(new ClusterTlsOptions { CertificatePath = missing, KeyPath = silo.Key, CaPath = caPem })).Message);
        Assert.StartsWith(
            "Cluster:Tls:CaPath is not set: ",
            Assert.Throws<ArgumentException>(() => ClusterTls.Load(new ClusterTlsOptions { CertificatePath = silo.Certificate, KeyPath = silo.Key })).Message, StringComparison.Ordinal);
        Assert.StartsWith(
            "Cluster:Tls needs this process's certificate as either ",
            Assert.Throws<ArgumentException>(() => ClusterTls.Load(new ClusterTlsOptions { CertificatePath = silo.Certificate, CaPath = caPem })).Message, StringComparison.Ordinal);
        Assert.StartsWith(
            $"Cluster:Tls:CaPath '{silo.Key}' could not be read as a certificate or key (",
            Assert.Throws<ArgumentException>(() => ClusterTls.Load(new ClusterTlsOptions { CertificatePath = silo.Certificate, KeyPath = silo.Key, CaPath = silo.Key })).Message, StringComparison.Ordinal);
        Assert.Null(ClusterTls.Load(new ClusterTlsOptions()));

        // The silo does not start with such a setting.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Cluster:Tls:CertificatePath"] = silo.Certificate, ["Cluster:Tls:KeyPath"] = silo.Key });
        Assert.IsType<SiloConfigurationException>(Assert.ThrowsAny<ArgumentException>(() => builder.AddGraphCastSilo()));

        // A PKCS#12 file with its password (from the environment in production) loads the same certificate.
        using var pfxSource = X509Certificate2.CreateFromPemFile(silo.Certificate, silo.Key);
        var pfx = Path.Combine(_dir, "silo.pfx");
        File.WriteAllBytes(pfx, pfxSource.Export(X509ContentType.Pkcs12, "test-only"));
        var loaded = ClusterTls.Load(new ClusterTlsOptions { PfxPath = pfx, PfxPassword = "test-only", CaPath = caPem })!;
        Assert.Equal(pfxSource.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.True(loaded.Validate(loaded.Certificate, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors));
    }

    /// <summary>A cluster folder whose <c>cluster.json</c> reaches the localhost gateway, with these TLS settings.</summary>
    private string Profile(string name, int gateway, Dictionary<string, string?> tls)
    {
        var dir = Path.Combine(_dir, name);
        var profile = new ClusterProfile
        {
            Configuration = new Dictionary<string, string?>(tls)
            {
                ["Cluster:Clustering"] = "localhost",
                ["Cluster:GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Cluster:ClusterId"] = "tls",
                ["Cluster:ServiceId"] = "tls",
                ["Storage:LocalDirectory"] = Path.Combine(_dir, "storage"),
            },
        };
        Directory.CreateDirectory(dir);
        profile.Save(dir);
        return dir;
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A certificate for both TLS ends (server and client authentication), issued by <paramref name="ca"/>, as PEM files.</summary>
    private (string Certificate, string Key) Issue(X509Certificate2 ca, string name, string file)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        var certificate = WritePem(file + ".crt", issued);
        var keyPath = Path.Combine(_dir, file + ".key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificate, keyPath);
    }

    private string WritePem(string file, X509Certificate2 certificate)
    {
        var path = Path.Combine(_dir, file);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
