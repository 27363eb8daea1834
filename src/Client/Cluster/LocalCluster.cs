using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// A cluster of separate silo processes on this machine, with Azure Table clustering and Azure Blob storage on one Azurite
/// that it starts itself — what <c>graphcast cluster up</c> / <c>down</c> run. The processes are detached (they outlive the
/// command) and recorded in the cluster folder's <c>cluster.json</c>, which clients read to connect. Failure detection is
/// fast (about 2 s, <c>Cluster:FastFailureDetection</c>); a production cluster keeps Orleans' conservative defaults.
/// </summary>
public sealed class LocalCluster
{
    /// <summary>The storage emulator's well-known account and key, published by Microsoft for every emulator; not a secret.</summary>
    public const string AzuriteAccount = "devstoreaccount1";

    public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private LocalCluster(string directory, ClusterProfile profile)
    {
        Directory = directory;
        Profile = profile;
    }

    /// <summary>The cluster folder (profile, logs, Azurite's data).</summary>
    public string Directory { get; }

    public ClusterProfile Profile { get; private set; }

    /// <summary>Opens the local cluster recorded in <paramref name="directory"/>.</summary>
    public static LocalCluster Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        return new LocalCluster(full, ClusterProfile.Load(full));
    }

    /// <summary>
    /// Starts Azurite and <paramref name="silos"/> silo processes (the last <paramref name="withoutCompute"/> of them host no
    /// members) and returns once every silo is an active cluster member. <paramref name="azurite"/>: the Azurite launcher
    /// (<c>--azurite PATH</c>), or null to find one (<see cref="AzuriteLauncher"/>). <paramref name="addresses"/>: one
    /// address per silo, each listening on and advertising its own (e.g. 127.0.0.2, 127.0.0.3, …: silos that share no
    /// address); null keeps every silo on 127.0.0.1.
    /// </summary>
    public static async Task<LocalCluster> UpAsync(
        string directory, int silos, int withoutCompute, TextWriter output, CancellationToken cancellationToken, string? azurite = null, IReadOnlyList<string>? addresses = null,
        int? intraOpThreads = null)
    {
        if (silos < 1 || withoutCompute < 0 || withoutCompute >= silos)
        {
            throw new UsageException($"--silos must be at least 1 and --no-compute-silos less than --silos (got {silos} and {withoutCompute}): a cluster needs a compute silo.");
        }

        if (addresses is not null && addresses.Count != silos)
        {
            throw new UsageException($"Give one address per silo ({silos} silos, {addresses.Count} addresses).");
        }

        var full = Path.GetFullPath(directory);
        if (ClusterProfile.Exists(full))
        {
            var existing = ClusterProfile.Load(full);
            var alive = existing.Silos.Where(s => DetachedProcess.IsAlive(s.Pid)).Select(s => s.Name).ToList();
            if (existing.Azurite is { } a && DetachedProcess.IsAlive(a.Pid))
            {
                alive.Add("azurite");
            }

            if (alive.Count > 0)
            {
                throw new UsageException($"A local cluster is already up in {full} ({string.Join(", ", alive)}). Stop it with 'graphcast cluster down --cluster-dir {directory}' first.");
            }
        }

        System.IO.Directory.CreateDirectory(full);
        var cluster = new LocalCluster(full, ClusterProfile.Exists(full) ? ClusterProfile.Load(full) : new ClusterProfile());
        cluster.Profile.Silos.Clear();
        var watch = Stopwatch.StartNew();
        if (cluster.Profile.Azurite is { } previous)
        {
            previous.Executable = null;
        }

        await cluster.StartAzuriteAsync(output, cancellationToken, azurite).ConfigureAwait(false);
        var connection = cluster.ConnectionString;
        var clusterId = "graphcast-local";
        cluster.Profile.Configuration = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Cluster:ClusterId"] = clusterId,
            ["Cluster:ServiceId"] = "graphcast-local",
            ["Cluster:Clustering"] = "azure-table",
            ["Cluster:ConnectionString"] = connection,
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            // The local cluster stays on loopback: nothing outside this machine can reach its silos.
            ["Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Cluster:ListenOnAnyAddress"] = "false",
            ["Cluster:FastFailureDetection"] = "true",
            ["Storage:ConnectionString"] = connection,
            ["Storage:Container"] = "graphcast",
            ["Models:GraphCacheDirectory"] = Path.Combine(full, "graphs"),
            ["Engine:SupervisorInterval"] = "00:00:02",
            ["Engine:ManifestFlushInterval"] = "00:00:00.500",
            ["Engine:LoadReportInterval"] = "00:00:01",
            ["Engine:RetryMaxDelay"] = "00:00:02",
            // The compute silos share this machine's cores instead of each starting one LibTorch thread per core.
            ["Compute:IntraOpThreads"] = (intraOpThreads ?? IntraOpThreadsPerSilo(Environment.ProcessorCount, silos - withoutCompute)).ToString(CultureInfo.InvariantCulture),
        };
        cluster.Save();
        for (var i = 1; i <= silos; i++)
        {
            cluster.StartSilo($"silo-{i}", compute: i <= silos - withoutCompute, addresses?[i - 1]);
        }

        await cluster.WaitForSilosAsync(silos, [.. cluster.Profile.Silos.Select(s => s.Name)], cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Local cluster up in {watch.Elapsed.TotalSeconds:F1} s: {full}"));
        cluster.Describe(output);
        return cluster;
    }

    /// <summary>LibTorch threads per compute silo when <paramref name="computeSilos"/> share <paramref name="cores"/> cores: an even share, at least 1.</summary>
    public static int IntraOpThreadsPerSilo(int cores, int computeSilos) => Math.Max(1, cores / Math.Max(1, computeSilos));

    /// <summary>The Azure Storage connection string of the local Azurite (its well-known development account).</summary>
    public string ConnectionString
    {
        get
        {
            var a = Profile.Azurite ?? throw new InvalidOperationException("This cluster has no Azurite.");
            return $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};" +
                $"BlobEndpoint=http://127.0.0.1:{a.BlobPort}/{AzuriteAccount};QueueEndpoint=http://127.0.0.1:{a.QueuePort}/{AzuriteAccount};" +
                $"TableEndpoint=http://127.0.0.1:{a.TablePort}/{AzuriteAccount};";
        }
    }

    /// <summary>
    /// Starts one more silo process (a name not used yet); <paramref name="address"/>: the address it listens on and
    /// advertises instead of the profile's (127.0.0.1), kept in the profile so that a restart uses it again.
    /// </summary>
    public SiloState StartSilo(string name, bool compute, string? address = null)
    {
        if (Profile.Silos.Any(s => s.Name == name && DetachedProcess.IsAlive(s.Pid)))
        {
            throw new UsageException($"Silo '{name}' is already running.");
        }

        var log = Path.Combine(Directory, name + ".log");
        File.Delete(AddressFile(ClusterProfile.PathOf(Directory), name));
        var (exe, prefix) = SelfCommand();
        var arguments = prefix.Concat(["silo", "--cluster-dir", Directory, "--name", name]).ToList();
        if (!compute)
        {
            arguments.Add("--no-compute");
        }

        if (address is not null)
        {
            arguments.AddRange(["--address", address]);
        }

        // Each silo serves /healthz, /readyz and /metrics on a port of its own, free now and not another silo's.
        var taken = Profile.Silos.Where(s => s.Name != name).Select(s => s.HealthPort).ToHashSet();
        var healthPort = FreePort();
        while (taken.Contains(healthPort))
        {
            healthPort = FreePort();
        }

        arguments.AddRange(["--health-port", healthPort.ToString(CultureInfo.InvariantCulture)]);
        var pid = DetachedProcess.Start(exe, arguments, log, Directory);
        var state = new SiloState { Name = name, Pid = pid, Compute = compute, Log = log, Address = address, HealthPort = healthPort };
        Profile.Silos.RemoveAll(s => s.Name == name);
        Profile.Silos.Add(state);
        Save();
        return state;
    }

    /// <summary>Where silo <paramref name="name"/> of the cluster whose profile is <paramref name="profilePath"/> writes its Orleans address.</summary>
    public static string AddressFile(string profilePath, string name) => Path.Combine(Path.GetDirectoryName(profilePath)!, name + ".address");

    /// <summary>The Orleans address (<c>S127.0.0.1:port:generation</c>) silo <paramref name="name"/> reported; null before it started.</summary>
    public string? AddressOf(string name)
    {
        var file = AddressFile(ClusterProfile.PathOf(Directory), name);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    /// <summary>The name of the silo process with Orleans address <paramref name="address"/>.</summary>
    public string? NameOf(string address) => Profile.Silos.FirstOrDefault(s => AddressOf(s.Name) == address)?.Name;

    /// <summary>Kills a silo process at once (SIGKILL), as a crash would.</summary>
    public void KillSilo(string name)
    {
        var silo = Profile.Silos.SingleOrDefault(s => s.Name == name)
            ?? throw new UsageException($"There is no silo '{name}' in this cluster (silos: {string.Join(", ", Profile.Silos.Select(s => s.Name))}).");
        DetachedProcess.KillNow(silo.Pid);
    }

    /// <summary>Stops Azurite (SIGTERM, so its disk store is saved); its data folder stays.</summary>
    public async Task StopAzuriteAsync()
    {
        if (Profile.Azurite is { } a)
        {
            await DetachedProcess.StopAsync(a.Pid, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts Azurite (again) on the recorded ports and data folder, or on free ports the first time: the launcher it ran
    /// before, else <paramref name="azurite"/> or the one <see cref="AzuriteLauncher"/> finds.
    /// </summary>
    public async Task StartAzuriteAsync(TextWriter? output, CancellationToken cancellationToken, string? azurite = null)
    {
        var executable = Profile.Azurite?.Executable is { } recorded && File.Exists(recorded) && azurite is null
            ? recorded
            : await AzuriteLauncher.FindAsync(azurite, output, cancellationToken).ConfigureAwait(false);
        var a = Profile.Azurite ?? new AzuriteState
        {
            BlobPort = FreePort(),
            QueuePort = FreePort(),
            TablePort = FreePort(),
            DataDirectory = Path.Combine(Directory, "azurite"),
            Log = Path.Combine(Directory, "azurite.log"),
        };
        System.IO.Directory.CreateDirectory(a.DataDirectory);
        a.Pid = DetachedProcess.Start(executable,
        [
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--location", a.DataDirectory,
            "--blobHost", "127.0.0.1", "--blobPort", a.BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", a.QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", a.TablePort.ToString(CultureInfo.InvariantCulture),
        ], a.Log, Directory);
        a.Executable = executable;
        Profile.Azurite = a;
        Save();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await AcceptsAsync(a.BlobPort).ConfigureAwait(false) && await AcceptsAsync(a.TablePort).ConfigureAwait(false)))
        {
            if (!DetachedProcess.IsAlive(a.Pid))
            {
                throw new ClusterException($"Azurite exited while starting; see {a.Log}.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterException($"Azurite did not listen on ports {a.BlobPort} and {a.TablePort} within 60 s; see {a.Log}.");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every silo (SIGTERM: they leave the cluster cleanly), then Azurite. Data and logs stay in the folder.</summary>
    public async Task DownAsync(TextWriter output)
    {
        await Task.WhenAll(Profile.Silos.Select(s => DetachedProcess.StopAsync(s.Pid, TimeSpan.FromSeconds(20)))).ConfigureAwait(false);
        await StopAzuriteAsync().ConfigureAwait(false);
        output.WriteLine($"Local cluster in {Directory} is down ({Profile.Silos.Count} silos and Azurite stopped; data and logs kept there).");
    }

    /// <summary>One line per process: name, pid, alive, role.</summary>
    public void Describe(TextWriter output)
    {
        if (Profile.Azurite is { } a)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  azurite   pid {a.Pid,-7} {(DetachedProcess.IsAlive(a.Pid) ? "running" : "stopped"),-8} blob :{a.BlobPort}  table :{a.TablePort}  data {a.DataDirectory}"));
        }

        foreach (var s in Profile.Silos)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {s.Name,-9} pid {s.Pid,-7} {(DetachedProcess.IsAlive(s.Pid) ? "running" : "stopped"),-8} {(s.Compute ? "compute (cpu)" : "no compute"),-14} {AddressOf(s.Name) ?? "(no address yet)",-28} {(s.HealthPort > 0 ? $"health :{s.HealthPort}" : ""),-13} log {s.Log}"));
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> silos are active members (read through a client of the cluster) and the silos
    /// being started have written their address files; fails early if one
    /// of the silos being started (<paramref name="starting"/>) exits. Silos stopped or killed earlier do not count.
    /// </summary>
    public async Task WaitForSilosAsync(int count, IReadOnlyCollection<string> starting, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        await using var client = await ClusterConnection.ConnectAsync(Directory, cancellationToken, StartTimeout).ConfigureAwait(false);
        while (true)
        {
            var active = await client.ActiveSilosAsync().ConfigureAwait(false);
            // A silo is a member a moment before it has written its address file (after its start completes): wait for both,
            // so that status and tests can name every silo that was started.
            if (active >= count && starting.All(name => AddressOf(name) is not null))
            {
                return;
            }

            var dead = Profile.Silos.Where(s => starting.Contains(s.Name) && !DetachedProcess.IsAlive(s.Pid)).ToList();
            if (dead.Count > 0)
            {
                throw new ClusterException($"Silo {dead[0].Name} exited while starting; see {dead[0].Log}.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterException($"Only {active} of {count} silos joined within {StartTimeout.TotalSeconds:0} s; see the logs in {Directory}.");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Save() => Profile.Save(Directory);

    /// <summary>How to run this program again: the apphost itself, or <c>dotnet graphcast.dll</c>.</summary>
    private static (string Executable, string[] Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            var assembly = typeof(LocalCluster).Assembly.Location;
            return (process, [assembly]);
        }

        // A test host, or another program hosting this library: the graphcast apphost next to this assembly.
        var apphost = Path.Combine(AppContext.BaseDirectory, "graphcast");
        return Path.GetFileName(process) == "graphcast" ? (process, []) : File.Exists(apphost) ? (apphost, []) : ("dotnet", [typeof(LocalCluster).Assembly.Location]);
    }

    /// <summary>A free loopback TCP port (bound and released; a race with another process is reported by Azurite).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
