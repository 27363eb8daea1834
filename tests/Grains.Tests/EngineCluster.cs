using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Tests.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>
/// An in-process Orleans test cluster with the engine's services on every silo, sharing one local storage folder
/// (deleted on dispose), with fast failure detection and supervision so silo-loss tests finish in seconds.
/// </summary>
public sealed class EngineCluster : IAsyncDisposable
{
    private EngineCluster(TestCluster cluster, string directory)
    {
        Cluster = cluster;
        Directory = directory;
        Blobs = new LocalDirectoryBlobStore(directory);
    }

    public TestCluster Cluster { get; }

    public string Directory { get; }

    public IBlobStore Blobs { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>
    /// Starts <paramref name="silos"/> silos; those named in <paramref name="withoutCompute"/> (TestCluster names: Primary,
    /// Secondary_1, …) host no members; <paramref name="settings"/> are extra configuration keys for every silo. With
    /// <c>Test:RecordBlobs=true</c> among them, each silo's <see cref="IBlobStore"/> is a <see cref="RecordingBlobStore"/>
    /// (<see cref="RecordingStoreOf"/>).
    /// </summary>
    /// <param name="clock">The clock schedules decide by on every silo (the system's when null).</param>
    public static async Task<EngineCluster> StartAsync(short silos, string[]? withoutCompute = null, Dictionary<string, string>? settings = null, TimeProvider? clock = null)
    {
        withoutCompute ??= [];
        var directory = System.IO.Directory.CreateTempSubdirectory("gc-engine-").FullName;
        var builder = new TestClusterBuilder((short)silos);
        builder.Properties["Storage:LocalDirectory"] = directory;
        builder.Properties["Models:GraphCacheDirectory"] = Path.Combine(directory, ".graphs");
        builder.Properties["Engine:SupervisorInterval"] = "00:00:01";
        builder.Properties["Engine:ManifestFlushInterval"] = "00:00:00.200";
        builder.Properties["Engine:LoadReportInterval"] = "00:00:00.500";
        builder.Properties[WithoutComputeKey] = string.Join(',', withoutCompute);
        if (clock is not null)
        {
            var key = Guid.NewGuid().ToString("N");
            Clocks[key] = clock;
            builder.Properties[ClockKey] = key;
        }

        foreach (var (key, value) in settings ?? [])
        {
            builder.Properties[key] = value;
        }
        builder.AddSiloBuilderConfigurator<Configurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new EngineCluster(cluster, directory);
    }

    /// <summary>The engine services of a silo (in-process silos only).</summary>
    public IServiceProvider ServicesOf(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services;

    public ModelRegistry RegistryOf(SiloHandle silo) => ServicesOf(silo).GetRequiredService<ModelRegistry>();

    /// <summary>The recording blob store of a silo started with <c>Test:RecordBlobs=true</c>.</summary>
    public RecordingBlobStore RecordingStoreOf(SiloHandle silo) =>
        ServicesOf(silo).GetRequiredService<IBlobStore>() as RecordingBlobStore
        ?? throw new InvalidOperationException("The cluster was started without Test:RecordBlobs=true.");

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await DeleteFolderAsync(Directory);
    }

    /// <summary>
    /// Deletes the cluster's storage folder. A stopped silo's last write (a manifest flush or a chunk whose temporary file is
    /// renamed while the folder is being removed) can land during the delete, so it is tried again for up to 10 s; after that
    /// the files still there are named in the error.
    /// </summary>
    private static async Task DeleteFolderAsync(string directory)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            catch (IOException e)
            {
                var left = System.IO.Directory.Exists(directory)
                    ? System.IO.Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Take(20)
                    : [];
                throw new IOException($"The test cluster's folder {directory} could not be deleted for 10 s; still there: {string.Join(", ", left)}", e);
            }
        }
    }

    private const string WithoutComputeKey = "Test:SilosWithoutCompute";

    private const string RecordBlobsKey = "Test:RecordBlobs";

    /// <summary>The key of this cluster's schedule clock in <see cref="Clocks"/> (in-process silos share the object).</summary>
    private const string ClockKey = "Test:ScheduleClock";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeProvider> Clocks = new();

    /// <summary>With <c>Test:RecordBlobs</c>: each write into a <c>stats.zarr</c> waits this long first (a slow store).</summary>
    private const string SlowStatisticsWritesKey = "Test:SlowStatisticsWrites";

    /// <summary>The test client's response timeout (Orleans' default, 30 s, when not set).</summary>
    private const string ClientResponseTimeoutKey = "Test:ClientResponseTimeout";

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.AddActivityPropagation();
            if (configuration[ClientResponseTimeoutKey] is { } timeout)
            {
                clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private sealed class Configurator : ISiloConfigurator, IHostConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var name = siloBuilder.Configuration["Orleans:Name"];
            var without = (siloBuilder.Configuration[WithoutComputeKey] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (name is not null && without.Contains(name, StringComparer.Ordinal))
            {
                // This silo's own configuration (the host's, which the engine's options bind too).
                siloBuilder.Configuration["Compute:Enabled"] = "false";
            }

            siloBuilder.AddGraphCastComputeMetadata(siloBuilder.Configuration);
            siloBuilder.UseInMemoryReminderService();
            // Trace context across grain calls, as on the engine's silos (SiloHostExtensions).
            siloBuilder.AddActivityPropagation();
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        }

        public void Configure(IHostBuilder hostBuilder) =>
            hostBuilder.ConfigureServices((context, services) =>
            {
                if (context.Configuration[ClockKey] is { } clock)
                {
                    // Registered before the engine, whose own registration keeps a clock that is already there.
                    services.AddSingleton(new GraphCast.Orleans.Grains.Schedules.ScheduleClock(Clocks[clock]));
                }

                services.AddGraphCastEngine(context.Configuration);
                if (string.Equals(context.Configuration[RecordBlobsKey], "true", StringComparison.OrdinalIgnoreCase))
                {
                    // Registered last, so it is the store every engine service is given.
                    var slow = context.Configuration[SlowStatisticsWritesKey] is { } delay ? ("/stats.zarr/", TimeSpan.Parse(delay, System.Globalization.CultureInfo.InvariantCulture)) : default((string, TimeSpan)?);
                    services.AddSingleton<IBlobStore>(new RecordingBlobStore(new LocalDirectoryBlobStore(context.Configuration["Storage:LocalDirectory"]!)) { SlowWrites = slow });
                }
            });
    }
}
