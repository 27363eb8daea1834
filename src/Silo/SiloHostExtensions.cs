using System.Net;
using GraphCast.Orleans.Api;
using GraphCast.Orleans.Grains;
using GraphCast.Orleans.Silo.Health;
using GraphCast.Orleans.Storage.Clustering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;
using GraphCast.Orleans.Storage.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GraphCast.Orleans.Silo;

/// <summary>Registration of a GraphCast silo: Orleans clustering from the <c>Cluster</c> section, plus the engine's services.</summary>
public static class SiloHostExtensions
{
    /// <summary>Adds an Orleans silo hosting the GraphCast grains, configured from the builder's configuration.</summary>
    public static IHostApplicationBuilder AddGraphCastSilo(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(GraphCastClusterOptions.SectionName).Get<GraphCastClusterOptions>() ?? new GraphCastClusterOptions();
        var validation = new GraphCastClusterOptionsValidator().Validate(null, cluster);
        if (validation.Failed)
        {
            throw new OptionsValidationException(GraphCastClusterOptions.SectionName, typeof(GraphCastClusterOptions), validation.Failures);
        }

        if (cluster.Kubernetes && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
        {
            throw new SiloConfigurationException(
                "Cluster:Kubernetes=true, but this process is not in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set): set Cluster:Kubernetes=false outside Kubernetes.");
        }

        // localhost clustering (one process) stays on loopback; a cluster silo advertises an address of its host.
        var endpoints = cluster.Clustering == "localhost"
            ? new SiloEndpoints(IPAddress.Loopback, IPAddress.Loopback, cluster.SiloPort == 0 ? FreePort() : cluster.SiloPort, cluster.GatewayPort == 0 ? FreePort() : cluster.GatewayPort)
            : SiloEndpoints.Resolve(cluster);
        builder.Services.AddSingleton(endpoints);
        if (cluster.ShutdownTimeout is { } shutdown)
        {
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
        }

        // Compute:Device=auto or cuda:N is checked against the CUDA devices LibTorch sees, and replaced by the device it
        // names, so every reader of the Compute section (metadata, executor, registry) sees the one resolved device.
        var computeEnabled = builder.Configuration.GetValue("Compute:Enabled", defaultValue: true);
        var device = computeEnabled ? ComputeDevice.Resolve(builder.Configuration["Compute:Device"] ?? "cpu") : null;
        if (device is not null)
        {
            builder.Configuration["Compute:Device"] = device.Device;
            builder.Services.AddSingleton(device);
        }

        ClusterTls? tls;
        try
        {
            tls = ClusterTls.Load(cluster.Tls);
        }
        catch (ArgumentException e)
        {
            throw new SiloConfigurationException(e.Message);
        }

        // The Orleans dashboard (off by default) is served on the health port, so it needs one.
        var dashboard = builder.Configuration.GetValue("Dashboard:Enabled", defaultValue: false);
        if (dashboard && builder.Configuration.GetValue("Health:Port", 0) == 0)
        {
            throw new SiloConfigurationException("Dashboard:Enabled=true needs Health:Port: the dashboard is served at /dashboard on the health port. Set Health:Port (e.g. 8081), or Dashboard:Enabled=false.");
        }

        builder.Services.AddHostedService<SiloAnnouncement>();
        // Before the silo: the health endpoint answers while the silo joins (and after it has left).
        builder.AddGraphCastHealth(device);
        // Before the silo too: the API answers 503 with Retry-After until the silo has joined.
        builder.AddGraphCastApi();
        if (builder.Configuration.GetValue("Api:Enabled", defaultValue: false))
        {
            // A port in use is one line naming Api:Port, before anything starts (as for Health:Port).
            SiloEndpoints.Port("Api:Port", builder.Configuration.GetValue("Api:Port", new ApiOptions().Port), IPAddress.Any);
        }
        builder.AddGraphCastTelemetryExport();
        builder.UseOrleans(silo =>
        {
            // Trace context flows across grain calls: a run's submit, its members' activations and steps are one trace.
            silo.AddActivityPropagation();
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (cluster.Clustering == "localhost")
            {
                silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            }
            else
            {
                silo.UseAzureStorageClustering(o => o.TableServiceClient = cluster.CreateTableServiceClient());
                silo.ConfigureEndpoints(endpoints.Advertised, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: endpoints.Listen.Equals(IPAddress.Any));
                if (cluster.Kubernetes)
                {
                    // Silo name from the pod, ids from ORLEANS_*_ID when set, silos of deleted pods declared dead.
                    silo.UseKubernetesHosting();
                }
            }

            if (tls is not null)
            {
                // Mutual TLS on silo-to-silo and gateway connections: both ends show a certificate of the cluster's CA.
                silo.UseTls(tls.Certificate, o =>
                {
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.CheckCertificateRevocation = false;
                    o.RemoteCertificateValidation = tls.Validate;
                });
            }

            silo.AddGraphCastComputeMetadata(builder.Configuration, device?.Description);
            if (dashboard)
            {
                global::Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
            }

            silo.AddGraphCastReminders(cluster);
            if (cluster.FastFailureDetection)
            {
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                });
                // A call that went to a silo just before it died waits this long at most (Orleans' default is 30 s).
                silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            }
        });
        builder.Services.AddGraphCastEngine(builder.Configuration);
        if (dashboard)
        {
            // What the dashboard's endpoints resolve, for the health endpoint's web host to forward to this silo's instances.
            var assembly = typeof(global::Orleans.Dashboard.DashboardOptions).Assembly;
            var services = builder.Services
                .Where(d => d.Lifetime == ServiceLifetime.Singleton && !d.ServiceType.IsGenericTypeDefinition && d.ServiceType.Assembly == assembly)
                .Select(d => d.ServiceType)
                .Append(typeof(IOptions<global::Orleans.Dashboard.DashboardOptions>))
                .Distinct()
                .ToArray();
            builder.Services.AddSingleton(new SiloDashboard(services));
            builder.Services.AddHostedService<DashboardEngineCounters>();
        }

        return builder;
    }

    /// <summary>
    /// OTLP export of the engine's and Orleans' metrics and traces when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// environment variable (or configuration key) is set; the exporter reads the other <c>OTEL_*</c> variables itself
    /// (protocol, headers, service name). Without it nothing is exported (the Prometheus <c>/metrics</c> is on the health port).
    /// </summary>
    private static void AddGraphCastTelemetryExport(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "graphcast-silo"))
            .WithMetrics(metrics => metrics.AddMeter(EngineTelemetry.Name, "Microsoft.Orleans").AddOtlpExporter())
            .WithTracing(tracing => tracing.AddSource(EngineTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application").AddOtlpExporter());
    }

    /// <summary>
    /// The readiness checks (joined, storage answers, device usable) and, when <c>Health:Port</c> is set, the HTTP endpoint
    /// serving <c>/healthz</c> and <c>/readyz</c>; a port in use stops the silo with one line.
    /// </summary>
    private static void AddGraphCastHealth(this IHostApplicationBuilder builder, ComputeDevice? device)
    {
        var section = builder.Configuration.GetSection(HealthOptions.SectionName);
        var health = section.Get<HealthOptions>() ?? new HealthOptions();
        var validation = new HealthOptionsValidator().Validate(null, health);
        if (validation.Failed)
        {
            throw new OptionsValidationException(HealthOptions.SectionName, typeof(HealthOptions), validation.Failures);
        }

        builder.Services.AddOptions<HealthOptions>().Bind(section);
        builder.Services.AddHealthChecks()
            .AddCheck<ClusterMembershipHealthCheck>("cluster", tags: [HealthEndpoint.ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [HealthEndpoint.ReadyTag])
            .AddCheck("device", new ComputeDeviceHealthCheck(device?.Device, device?.Description), tags: [HealthEndpoint.ReadyTag]);
        if (health.Port > 0)
        {
            SiloEndpoints.Port("Health:Port", health.Port, IPAddress.Any);
            builder.Services.AddHostedService<HealthEndpoint>();
        }
    }

    /// <summary>
    /// The reminder service that ticks forecast schedules: Azure Table reminders beside the membership table on an
    /// azure-table cluster (they survive every silo), in-memory reminders on a localhost silo (the embedded one; its
    /// schedule sweep re-registers them when it starts again).
    /// </summary>
    public static ISiloBuilder AddGraphCastReminders(this ISiloBuilder silo, GraphCastClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.Clustering == "localhost"
            ? silo.UseInMemoryReminderService()
            : silo.UseAzureTableReminderService(o => o.TableServiceClient = cluster.CreateTableServiceClient());
    }

    /// <summary>A free loopback TCP port (bound and released; a race with another process is possible and reported by the silo).</summary>
    public static int FreePort() => SiloEndpoints.FreePort(IPAddress.Loopback);
}
