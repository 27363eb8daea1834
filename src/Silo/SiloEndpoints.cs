using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using GraphCast.Orleans.Storage.Clustering;

namespace GraphCast.Orleans.Silo;

/// <summary>
/// Where a silo listens and what it advertises in the membership table: <c>Cluster:AdvertisedAddress</c> (an IP address or
/// a host name), else <c>POD_IP</c>, else the host's primary non-loopback IPv4 address; it listens on every address, or on
/// the advertised one only (<c>Cluster:ListenOnAnyAddress=false</c>). Ports of 0 become free ones. Resolved before Orleans
/// starts, so an address that is not this host's or a port in use stops the silo with one line naming the setting.
/// </summary>
public sealed record SiloEndpoints(IPAddress Advertised, IPAddress Listen, int SiloPort, int GatewayPort)
{
    /// <summary>The environment variable Kubernetes manifests set to the pod's IP (downward API).</summary>
    public const string PodIpVariable = "POD_IP";

    /// <summary>
    /// Resolves the endpoints of <paramref name="options"/>; <paramref name="environment"/> reads environment variables
    /// (<see cref="Environment.GetEnvironmentVariable(string)"/> unless a test passes its own).
    /// </summary>
    public static SiloEndpoints Resolve(GraphCastClusterOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        var advertised = AdvertisedAddress(options, environment);
        var listen = options.ListenOnAnyAddress ? IPAddress.Any : advertised;
        var siloPort = Port("Cluster:SiloPort", options.SiloPort, listen);
        var gatewayPort = Port("Cluster:GatewayPort", options.GatewayPort, listen);
        return new SiloEndpoints(advertised, listen, siloPort, gatewayPort);
    }

    /// <summary>A free TCP port on <paramref name="address"/> (bound and released; a race with another process is reported by the silo).</summary>
    public static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The host's primary non-loopback IPv4 address (an interface that is up, one with a default gateway first); null if it has none.</summary>
    public static IPAddress? PrimaryAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .Select(n => n.GetIPProperties())
            .OrderByDescending(p => p.GatewayAddresses.Any(g => !g.Address.Equals(IPAddress.Any)))
            .SelectMany(p => p.UnicastAddresses.Select(u => u.Address))
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static IPAddress AdvertisedAddress(GraphCastClusterOptions options, Func<string, string?> environment)
    {
        if (options.AdvertisedAddress is { Length: > 0 } configured)
        {
            var address = Parse(configured, "Cluster:AdvertisedAddress");
            return OnThisHost(address, $"Cluster:AdvertisedAddress '{configured}'");
        }

        if (environment(PodIpVariable) is { Length: > 0 } podIp)
        {
            if (!IPAddress.TryParse(podIp, out var address))
            {
                throw new SiloConfigurationException($"{PodIpVariable} '{podIp}' is not an IP address: set it from the pod's status.podIP (downward API), or set Cluster:AdvertisedAddress.");
            }

            return OnThisHost(address, $"{PodIpVariable} '{podIp}'");
        }

        return PrimaryAddress() ?? throw new SiloConfigurationException(
            "This host has no non-loopback IPv4 address to advertise: set Cluster:AdvertisedAddress to the address other silos and clients reach this silo at.");
    }

    /// <summary>An IP address, or the first address (IPv4 first) a host name resolves to.</summary>
    private static IPAddress Parse(string text, string setting)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        IPAddress[] resolved;
        try
        {
            resolved = Dns.GetHostAddresses(text);
        }
        catch (SocketException e)
        {
            throw new SiloConfigurationException($"{setting} '{text}' is neither an IP address nor a host name that resolves ({e.Message}): set this host's IP address or a name it resolves.");
        }

        return resolved.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new SiloConfigurationException($"{setting} '{text}' resolves to no address: set this host's IP address or a name it resolves.");
    }

    /// <summary>The address itself if a socket can be bound to it here (so it is this host's), else one line naming it.</summary>
    private static IPAddress OnThisHost(IPAddress address, string what)
    {
        try
        {
            using var listener = new TcpListener(address, 0);
            listener.Start();
            return address;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            throw new SiloConfigurationException(
                $"{what} is not an address of this host (its addresses: {string.Join(", ", HostAddresses())}): advertise one of them, or leave Cluster:AdvertisedAddress unset to use POD_IP or the primary address.");
        }
    }

    /// <summary><paramref name="port"/> if it can be bound on <paramref name="listen"/>, a free port for 0, else one line naming <paramref name="setting"/>.</summary>
    internal static int Port(string setting, int port, IPAddress listen)
    {
        if (port == 0)
        {
            return FreePort(listen);
        }

        try
        {
            using var listener = new TcpListener(listen, port);
            listener.Start();
            return port;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var why = e.SocketErrorCode == SocketError.AccessDenied ? "may not be bound by this user" : "is already in use";
            throw new SiloConfigurationException(string.Create(CultureInfo.InvariantCulture,
                $"{setting} {port} {why} on {listen}: stop the process that holds it, or set {setting} to a free port (0 picks one)."));
        }
    }

    private static IEnumerable<string> HostAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up || n.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => IPAddress.IsLoopback(a) ? "127.0.0.0/8" : a.ToString())
            .Distinct();
}
