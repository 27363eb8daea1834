using System.CommandLine;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Storage.Faults;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast cluster up|down|status|add-silo|kill-silo</c> (a local cluster of separate processes) and <c>graphcast silo</c>
/// (one silo process of a cluster, which <c>cluster up</c> starts).
/// </summary>
public static class ClusterCommands
{
    /// <summary>How long <c>cluster status</c> tries to reach the cluster for the members its silos host.</summary>
    private static readonly TimeSpan StatusConnectTimeout = TimeSpan.FromSeconds(10);

    public static Command CreateCluster()
    {
        var command = new Command("cluster", "A local cluster of separate silo processes, with Azure Table clustering and Blob storage on one Azurite that it starts and stops; its profile, logs and data live in the cluster folder.");
        command.Subcommands.Add(Up());
        command.Subcommands.Add(Down());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(AddSilo());
        command.Subcommands.Add(KillSilo());
        return command;
    }

    /// <summary><c>graphcast silo --cluster-dir DIR --name NAME [--no-compute] [--address IP] [--health-port PORT]</c>: runs one silo of the cluster until SIGTERM.</summary>
    public static Command CreateSilo()
    {
        var command = new Command("silo", "Run one silo process of the cluster whose profile is in --cluster-dir until SIGTERM ('cluster up' and 'cluster add-silo' start these).");
        var dir = Directory();
        var name = CliOptions.Text("--name", "The silo's name in the cluster (e.g. silo-1).", "NAME");
        name.Required = true;
        var noCompute = CliOptions.Flag("--no-compute", "Host run grains but no ensemble members (Compute:Enabled=false).");
        var address = CliOptions.Text("--address", "The address this silo listens on and advertises, instead of the profile's Cluster:AdvertisedAddress.", "IP");
        var healthPort = CliOptions.OptionalInt("--health-port", "Serve /healthz, /readyz and /metrics on this port (Health:Port; 'cluster up' gives each silo its own).", min: 1, helpName: "PORT");
        command.Options.Add(dir);
        command.Options.Add(name);
        command.Options.Add(noCompute);
        command.Options.Add(address);
        command.Options.Add(healthPort);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(dir)!;
            var siloName = parse.GetValue(name)!;
            var profile = ClusterProfile.Load(folder);
            var configuration = new Dictionary<string, string?>(profile.Configuration, StringComparer.Ordinal);
            if (parse.GetValue(address) is { } advertised)
            {
                configuration["Cluster:AdvertisedAddress"] = advertised;
            }

            if (parse.GetValue(healthPort) is { } port)
            {
                configuration["Health:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await EmbeddedSilo.RunClusterSiloAsync(configuration, siloName, parse.GetValue(noCompute), LocalCluster.AddressFile(ClusterProfile.PathOf(folder), siloName), cancellationToken);
            return 0;
        });
        return command;
    }

    private static Command Up()
    {
        var command = new Command("up", "Start Azurite and the silo processes (detached: they outlive the command) and wait until every silo has joined.");
        var dir = Directory();
        var silos = CliOptions.Int("--silos", "Silo processes.", 3, min: 1);
        var withoutCompute = CliOptions.Int("--no-compute-silos", "How many of them (the last ones) host run grains but no members.", 0, min: 0);
        var threads = CliOptions.OptionalInt("--intra-op-threads", "LibTorch threads of each compute silo (default: this machine's cores divided among the compute silos, at least 1).", min: 1);
        var azurite = CliOptions.Text("--azurite", $"The Azurite launcher to run (default ${AzuriteLauncher.EnvironmentVariable}, else the checkout's pinned one, installed with npm ci, else azurite on the PATH).", "PATH");
        command.Options.Add(dir);
        command.Options.Add(silos);
        command.Options.Add(withoutCompute);
        command.Options.Add(threads);
        command.Options.Add(azurite);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var folder = parse.GetValue(dir)!;
            await LocalCluster.UpAsync(folder, parse.GetValue(silos), parse.GetValue(withoutCompute), output, cancellationToken, parse.GetValue(azurite), intraOpThreads: parse.GetValue(threads));
            output.WriteLine($"Submit with: graphcast forecast --cluster{DirOption(folder)} --preset demo --members 4 --steps 8");
            output.WriteLine($"Stop with:   graphcast cluster down{DirOption(folder)}");
            return 0;
        });
        return command;
    }

    private static Command Down()
    {
        var command = new Command("down", "Stop every silo (they leave the cluster cleanly), then Azurite; the data and logs stay in the cluster folder.");
        var dir = Directory();
        command.Options.Add(dir);
        command.SetAction(async (parse, _) =>
        {
            await LocalCluster.Open(parse.GetValue(dir)!).DownAsync(parse.InvocationConfiguration.Output);
            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "List the cluster's processes: each silo's process id, endpoint, role and the members it hosts, and Azurite.");
        var dir = Directory();
        var json = CliOptions.Flag("--json", "Print the cluster as JSON: one object per silo (name, pid, running, endpoint, compute, health port, members hosted) and Azurite.");
        command.Options.Add(dir);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var cluster = LocalCluster.Open(parse.GetValue(dir)!);
            var (members, unknown) = await MembersBySiloAsync(cluster, cancellationToken);
            var silos = cluster.Profile.Silos.Select(s =>
            {
                var address = cluster.AddressOf(s.Name);
                return new
                {
                    s.Name,
                    s.Pid,
                    Running = DetachedProcess.IsAlive(s.Pid),
                    Endpoint = Endpoint(address),
                    Address = address,
                    s.Compute,
                    s.HealthPort,
                    Members = address is not null && members.TryGetValue(address, out var hosted) ? hosted : [],
                    s.Log,
                };
            }).ToList();
            if (parse.GetValue(json))
            {
                var a = cluster.Profile.Azurite;
                JsonOutput.Write(output, new
                {
                    cluster.Directory,
                    Azurite = a is null ? null : new { a.Pid, Running = DetachedProcess.IsAlive(a.Pid), a.BlobPort, a.QueuePort, a.TablePort, a.DataDirectory, a.Log },
                    Silos = silos,
                    MembersUnknown = unknown,
                });
                return 0;
            }

            output.WriteLine($"Local cluster {cluster.Directory}:");
            cluster.Describe(output);
            foreach (var s in silos.Where(s => s.Compute))
            {
                output.WriteLine($"  {s.Name,-9} members {(s.Members.Count == 0 ? "(none)" : string.Join(' ', s.Members))}");
            }

            if (unknown is not null)
            {
                output.WriteLine($"  Members hosted: unknown ({unknown}).");
            }

            return 0;
        });
        return command;
    }

    private static Command AddSilo()
    {
        var command = new Command("add-silo", "Start one more silo process and wait until it has joined.");
        var dir = Directory();
        var noCompute = CliOptions.Flag("--no-compute", "The new silo hosts run grains but no members.");
        command.Options.Add(dir);
        command.Options.Add(noCompute);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var cluster = LocalCluster.Open(parse.GetValue(dir)!);
            var name = $"silo-{cluster.Profile.Silos.Count + 1}";
            cluster.StartSilo(name, !parse.GetValue(noCompute));
            await cluster.WaitForSilosAsync(cluster.Profile.Silos.Count(s => DetachedProcess.IsAlive(s.Pid)), [name], cancellationToken);
            output.WriteLine($"Silo {name} joined.");
            cluster.Describe(output);
            return 0;
        });
        return command;
    }

    private static Command KillSilo()
    {
        var command = new Command("kill-silo", "Kill a silo process at once (SIGKILL), as a crash would.");
        var dir = Directory();
        var name = CliOptions.Required("silo name", "NAME", "The silo to kill, e.g. silo-2; 'graphcast cluster status' lists them.");
        command.Arguments.Add(name);
        command.Options.Add(dir);
        command.SetAction(parse =>
        {
            var silo = parse.GetValue(name)!;
            LocalCluster.Open(parse.GetValue(dir)!).KillSilo(silo);
            parse.InvocationConfiguration.Output.WriteLine($"Killed {silo} (SIGKILL).");
            return 0;
        });
        return command;
    }

    /// <summary>The cluster folder option of the cluster commands; <c>--dir</c> is DESIGN's spelling of it.</summary>
    private static Option<string> Directory() => RunsLocation.ClusterDirectoryOption("--dir");

    /// <summary>
    /// The members each silo hosts now (by Orleans address: "run/member" of every running member of the active runs, from
    /// the run grains), or why that is unknown (no silo running, the cluster not reachable).
    /// </summary>
    private static async Task<(Dictionary<string, List<string>> Members, string? Unknown)> MembersBySiloAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!cluster.Profile.Silos.Any(s => DetachedProcess.IsAlive(s.Pid)))
        {
            return (members, "no silo is running");
        }

        try
        {
            await using var connection = await ClusterConnection.ConnectAsync(cluster.Directory, cancellationToken, StatusConnectTimeout);
            foreach (var runId in await new RunManifestStore(connection.Storage).ActiveRunsAsync(cancellationToken))
            {
                var status = await connection.Grains.GetGrain<IForecastRunGrain>(runId).GetStatusAsync(cancellationToken);
                foreach (var m in status?.Members.Where(m => m.State == MemberState.Running && m.Silo is not null) ?? [])
                {
                    if (!members.TryGetValue(m.Silo!, out var list))
                    {
                        members[m.Silo!] = list = [];
                    }

                    list.Add(string.Create(CultureInfo.InvariantCulture, $"{runId}/{m.Member}"));
                }
            }

            return (members, null);
        }
        catch (Exception e) when (e is ClusterException || TransientFaults.IsTransient(e))
        {
            return (members, "the cluster did not answer: " + ExitCodes.OneLine(e.Message));
        }
    }

    /// <summary>The host:port of an Orleans silo address (<c>S127.0.0.1:30001:123456789</c>).</summary>
    private static string? Endpoint(string? address)
    {
        if (address is null)
        {
            return null;
        }

        var text = address.StartsWith('S') ? address[1..] : address;
        var last = text.LastIndexOf(':');
        return last > 0 ? text[..last] : text;
    }

    private static string DirOption(string dir) => dir == ClusterProfile.DefaultDirectory ? "" : $" --cluster-dir {dir}";
}
