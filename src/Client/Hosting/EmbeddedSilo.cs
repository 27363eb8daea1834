using GraphCast.Orleans.Silo;
using GraphCast.Orleans.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GraphCast.Orleans.Client.Hosting;

/// <summary>
/// A silo hosted inside the CLI process — the only place the client uses the silo's types. Either the local default of the
/// commands (localhost clustering on free ports, a local directory as storage, the CPU as compute: the zero-setup way to
/// run a forecast), or one silo process of a cluster (<c>graphcast silo</c>, which <c>cluster up</c> starts). Commands
/// reach it through its grains and storage only.
/// </summary>
public sealed class EmbeddedSilo : IEngineConnection
{
    private readonly IHost _host;

    private EmbeddedSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IBlobStore Storage => _host.Services.GetRequiredService<IBlobStore>();

    public bool RunsOutliveClient => false;

    /// <summary>
    /// What an Orleans client needs to reach this silo (<c>Cluster:*</c> keys with its actual ports, and its storage), as
    /// <c>graphcast serve</c> publishes them for the schedule commands of another process.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ClientConfiguration
    {
        get
        {
            var details = _host.Services.GetRequiredService<ILocalSiloDetails>();
            var cluster = _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::Orleans.Configuration.ClusterOptions>>().Value;
            var configuration = _host.Services.GetRequiredService<IConfiguration>();
            return new Dictionary<string, string?>
            {
                ["Cluster:Clustering"] = "localhost",
                ["Cluster:ClusterId"] = cluster.ClusterId,
                ["Cluster:ServiceId"] = cluster.ServiceId,
                ["Cluster:SiloPort"] = details.SiloAddress.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Cluster:GatewayPort"] = (details.GatewayAddress?.Endpoint.Port ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Storage:LocalDirectory"] = configuration["Storage:LocalDirectory"],
            };
        }
    }

    /// <summary>
    /// Completes when the silo is asked to stop: SIGTERM, SIGINT or SIGQUIT (the host's console lifetime), or
    /// <paramref name="cancellationToken"/>. The caller then disposes it, which stops the silo cleanly.
    /// </summary>
    public async Task WaitForStopRequestAsync(CancellationToken cancellationToken)
    {
        var stopping = _host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop.
        }
    }

    /// <summary>
    /// Starts the local default silo on <paramref name="outputDirectory"/>; <paramref name="weightsDirectory"/> is its
    /// <c>Models:WeightsDirectory</c> (for <c>checkpoint:NAME.npz</c> models), <paramref name="normalizationStatsDirectory"/>
    /// its <c>Models:NormalizationStatsDirectory</c> and <paramref name="graphCacheDirectory"/> its <c>Models:GraphCacheDirectory</c>.
    /// <paramref name="settings"/> adds configuration (e.g. <c>Api:Enabled</c> and <c>Api:Port</c> for <c>serve --api-port</c>).
    /// <c>GRAPHCAST_*</c> environment variables override these settings.
    /// </summary>
    public static async Task<EmbeddedSilo> StartAsync(
        string outputDirectory, string? weightsDirectory, CancellationToken cancellationToken, string? normalizationStatsDirectory = null, string? graphCacheDirectory = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["Cluster:Clustering"] = "localhost",
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Cluster:ClusterId"] = "graphcast-embedded-" + Environment.ProcessId,
            ["Storage:LocalDirectory"] = Path.GetFullPath(outputDirectory),
            ["Compute:Device"] = "cpu",
            ["Engine:ManifestFlushInterval"] = "00:00:00.500",
            ["Engine:SupervisorInterval"] = "00:00:05",
        };
        if (normalizationStatsDirectory is not null)
        {
            configuration["Models:NormalizationStatsDirectory"] = Path.GetFullPath(normalizationStatsDirectory);
        }

        if (weightsDirectory is not null)
        {
            configuration["Models:WeightsDirectory"] = weightsDirectory;
        }

        if (graphCacheDirectory is not null)
        {
            configuration["Models:GraphCacheDirectory"] = Path.GetFullPath(graphCacheDirectory);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
        builder.Logging.ClearProviders();
        // The CLI's stdout is its output (tables, JSON, progress): the engine logs only to stderr, and Orleans' own errors
        // (a grain call that failed because of a user's input is logged there with its stack trace) are off unless an operator
        // raises them (GRAPHCAST_Logging__LogLevel__Orleans=Error); a user error is the one line the command prints.
        // Warnings (retries of transient faults, reports cut short by a stop) show in the run's status; the CLI logs errors.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Orleans", LogLevel.Critical);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // The command owns SIGINT and SIGTERM (Program.cs): it cancels the run, then stops this host. The console lifetime
        // would stop the silo under the command's feet on SIGTERM, leaving it waiting for a run that no longer steps.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.AddGraphCastSilo();
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new EmbeddedSilo(host);
    }

    /// <summary>
    /// Runs one silo of a cluster until SIGTERM: configured from <paramref name="configuration"/> (the cluster profile's keys)
    /// and <c>GRAPHCAST_*</c> environment variables, named <paramref name="name"/>, without compute when
    /// <paramref name="withoutCompute"/>; once started it writes its Orleans address to <paramref name="addressFile"/>.
    /// </summary>
    public static async Task RunClusterSiloAsync(
        IReadOnlyDictionary<string, string?> configuration, string name, bool withoutCompute, string addressFile, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "graphcast-silo" });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Compute:Enabled"] = withoutCompute ? "false" : null,
            ["Orleans:Name"] = name,
        }.Where(kv => kv.Value is not null));
        builder.Logging.ClearProviders();
        // One line per entry, or JSON objects with the run id and member as fields (Logging:Console:FormatterName=json).
        builder.Logging.AddGraphCastConsole(builder.Configuration).SetMinimumLevel(LogLevel.Information);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // An operator raises a category for a drill, e.g. GRAPHCAST_Logging__LogLevel__Orleans.Runtime.MembershipService=Information.
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.AddGraphCastSilo();
        using var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        // The silo's address, for the cluster's tools (status, and tests that kill the silo hosting given members).
        var address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();
        // Written whole or not at all (readers poll for it): a temporary file renamed over the name.
        await File.WriteAllTextAsync(addressFile + ".tmp", address, CancellationToken.None).ConfigureAwait(false);
        File.Move(addressFile + ".tmp", addressFile, overwrite: true);
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A host lifetime that leaves signals to the command that hosts the silo.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// How long <see cref="DisposeAsync"/> lets the silo stop gracefully before it stops it at once (null: as long as it
    /// takes). An interrupted command sets it: its run is already recorded as cancelled and its checkpoints are durable.
    /// </summary>
    public TimeSpan? StopTimeout { get; set; }

    public async ValueTask DisposeAsync()
    {
        using var bound = StopTimeout is { } timeout ? new CancellationTokenSource(timeout) : new CancellationTokenSource();
        await _host.StopAsync(bound.Token).ConfigureAwait(false);
        _host.Dispose();
    }
}
