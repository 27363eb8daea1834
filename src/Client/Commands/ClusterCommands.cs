using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast cluster up|down|status|add-silo|kill-silo</c> (a local cluster of separate processes) and <c>graphcast silo</c>
/// (one silo process of a cluster, which <c>cluster up</c> starts).
/// </summary>
public static class ClusterCommands
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            throw new UsageException("'cluster' needs a subcommand: up, down, status, add-silo or kill-silo (e.g. graphcast cluster up --silos 3).");
        }

        var a = new CliArguments(args.Skip(1), CommandLine.Flags);
        var dir = ClusterDirectory(a);
        switch (args[0])
        {
            case "up":
            {
                var silos = a.Int("silos", 3, min: 1);
                var without = a.Int("no-compute-silos", 0, min: 0);
                a.RejectUnknown("cluster up");
                await LocalCluster.UpAsync(dir, silos, without, output, cancellationToken);
                output.WriteLine($"Submit with: graphcast forecast --cluster{DirOption(dir)} --preset demo --members 4 --steps 8");
                output.WriteLine($"Stop with:   graphcast cluster down{DirOption(dir)}");
                return 0;
            }

            case "down":
                a.RejectUnknown("cluster down");
                await LocalCluster.Open(dir).DownAsync(output);
                return 0;
            case "status":
            {
                a.RejectUnknown("cluster status");
                var cluster = LocalCluster.Open(dir);
                output.WriteLine($"Local cluster {cluster.Directory}:");
                cluster.Describe(output);
                return 0;
            }

            case "add-silo":
            {
                var compute = !a.Flag("no-compute");
                a.RejectUnknown("cluster add-silo");
                var cluster = LocalCluster.Open(dir);
                var name = $"silo-{cluster.Profile.Silos.Count + 1}";
                cluster.StartSilo(name, compute);
                await cluster.WaitForSilosAsync(cluster.Profile.Silos.Count(s => DetachedProcess.IsAlive(s.Pid)), [name], cancellationToken);
                output.WriteLine($"Silo {name} joined.");
                cluster.Describe(output);
                return 0;
            }

            case "kill-silo":
            {
                if (a.Positional.Count != 1)
                {
                    throw new UsageException("'cluster kill-silo' needs a silo name: graphcast cluster kill-silo silo-2 ('graphcast cluster status' lists them).");
                }

                a.RejectUnknown("cluster kill-silo");
                LocalCluster.Open(dir).KillSilo(a.Positional[0]);
                output.WriteLine($"Killed {a.Positional[0]} (SIGKILL).");
                return 0;
            }

            default:
                throw new UsageException($"Unknown 'cluster' subcommand '{args[0]}': use up, down, status, add-silo or kill-silo.");
        }
    }

    /// <summary><c>graphcast silo --cluster-dir DIR --name NAME [--no-compute]</c>: runs one silo of the cluster until SIGTERM.</summary>
    public static async Task<int> SiloAsync(CliArguments args, CancellationToken cancellationToken)
    {
        var dir = ClusterDirectory(args);
        var name = args.Required("name", "silo-1");
        var withoutCompute = args.Flag("no-compute");
        args.RejectUnknown("silo");
        var profile = ClusterProfile.Load(dir);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "graphcast-silo" });
        builder.Configuration.AddInMemoryCollection(profile.Configuration);
        builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Compute:Enabled"] = withoutCompute ? "false" : null,
            ["Orleans:Name"] = name,
        }.Where(kv => kv.Value is not null));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        }).SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // An operator raises a category for a drill, e.g. GRAPHCAST_Logging__LogLevel__Orleans.Runtime.MembershipService=Information.
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.AddGraphCastSilo();
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        // The silo's address, for the cluster's tools (status, and tests that kill the silo hosting given members).
        var address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();
        await File.WriteAllTextAsync(LocalCluster.AddressFile(ClusterProfile.PathOf(dir), name), address, CancellationToken.None);
        await host.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>The cluster folder: <c>--cluster-dir</c>, else <c>GRAPHCAST_CLUSTER_DIR</c>, else <c>.graphcast-cluster</c>.</summary>
    public static string ClusterDirectory(CliArguments args) =>
        args.String("cluster-dir") ?? Environment.GetEnvironmentVariable("GRAPHCAST_CLUSTER_DIR") ?? ClusterProfile.DefaultDirectory;

    private static string DirOption(string dir) => dir == ClusterProfile.DefaultDirectory ? "" : $" --cluster-dir {dir}";
}
