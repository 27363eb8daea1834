using GraphCast.Orleans.Grains.EnsembleStatistics;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Placement;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Grains.Schedules;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace GraphCast.Orleans.Grains;

/// <summary>Registers the engine's silo-side services: storage, model registry, step executor, stores, the statistics pass gate, the run supervisor and schedules.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine with options bound from <paramref name="configuration"/> sections <c>Storage</c>, <c>Compute</c>,
    /// <c>Models</c> and <c>Engine</c>, each validated when the silo starts.
    /// </summary>
    public static IServiceCollection AddGraphCastEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BlobStoreOptions>().Bind(configuration.GetSection(BlobStoreOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BlobStoreOptions>, BlobStoreOptionsValidator>();
        services.AddOptions<ComputeOptions>().Bind(configuration.GetSection(ComputeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ComputeOptions>, ComputeOptionsValidator>();
        services.AddOptions<ModelsOptions>().Bind(configuration.GetSection(ModelsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModelsOptions>, ModelsOptionsValidator>();
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        services.AddOptions<ScheduleOptions>().Bind(configuration.GetSection(ScheduleOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();

        services.AddSingleton<IBlobStore>(sp => BlobStoreFactory.CreateAsync(
            sp.GetRequiredService<IOptions<BlobStoreOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger("GraphCast.Storage")).GetAwaiter().GetResult());
        services.AddSingleton<RolloutCheckpointStore>();
        services.AddSingleton<RunManifestStore>();
        services.AddSingleton<InitialConditionStore>();
        services.AddSingleton<IForecastStore, ZarrForecastStore>();
        services.AddSingleton(sp => new StatisticsPassGate(sp.GetRequiredService<IOptions<EngineOptions>>().Value.StatisticsConcurrency));
        services.AddSingleton<StepExecutor>();
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService<RunSupervisor>();
        services.AddSingleton<ComputeLoad>();
        services.AddSingleton<ComputeLoadView>();
        services.AddHostedService<ComputeLoadReporter>();
        services.AddPlacementDirector<ComputePlacement, ComputePlacementDirector>();
        services.AddSchedules();
        return services;
    }

    /// <summary>
    /// Forecast schedules' silo-side services: their store, the run deletion retention uses, cycle data preparation, the clock
    /// (the system's unless a <see cref="ScheduleClock"/> was registered first, as tests do) and the sweep that re-activates them.
    /// The silo also needs a reminder service (SiloHostExtensions.AddGraphCastReminders in src/Silo).
    /// </summary>
    private static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.TryAddSingleton(new ScheduleClock(TimeProvider.System));
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<RunDeletion>();
        services.AddSingleton<CycleInitialConditions>();
        services.AddHostedService<ScheduleSupervisor>();
        return services;
    }

    /// <summary>
    /// Publishes the silo's compute (section <c>Compute</c>) as Orleans silo metadata, which the members' placement reads:
    /// a silo with <c>Compute:Enabled=false</c> advertises none and hosts no members. <paramref name="deviceDescription"/>
    /// (e.g. <c>cuda:0 NVIDIA H200, 143771 MiB</c>) is published under <see cref="ComputeSiloMetadata.DeviceKey"/>.
    /// </summary>
    public static ISiloBuilder AddGraphCastComputeMetadata(this ISiloBuilder silo, IConfiguration configuration, string? deviceDescription = null)
    {
        var compute = configuration.GetSection(ComputeOptions.SectionName).Get<ComputeOptions>() ?? new ComputeOptions();
        var metadata = ComputeSiloMetadata.From(compute).ToMetadata();
        if (compute.Enabled && deviceDescription is not null)
        {
            metadata[ComputeSiloMetadata.DeviceKey] = deviceDescription;
        }

        return silo.UseSiloMetadata(metadata);
    }
}
