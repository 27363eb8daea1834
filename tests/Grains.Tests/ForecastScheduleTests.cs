using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Grains.Schedules;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.InitialConditions;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;
using GraphCast.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>
/// Forecast schedules on an in-process cluster with a fake schedule clock: one run per cycle whatever the ticks, repair of a
/// crash between record and submit, data that arrives late or never (Missed, warm start), retention and backfill.
/// </summary>
[Collection(nameof(EngineCollection))]
public sealed class ForecastScheduleTests
{
    private static readonly DateTime Six = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private static FakeTimeProvider ClockAt(DateTime utc) => new(new DateTimeOffset(utc));

    private static ScheduleRequest Request(string name, string? init = null, string steps = "1") => new()
    {
        Name = name,
        Cron = "0 */6 * * *",
        Preset = "tiny",
        Members = "1",
        Steps = steps,
        Perturb = "none",
        Init = init,
        Fill = init is null ? null : "interpolate,analytic",
        MaxWait = init is null ? null : "2m",
    };

    private static async Task<string[]> RunIdsAsync(EngineCluster engine) =>
        (await engine.Blobs.ListAsync(RunManifestStore.IndexPrefix)).Select(e => e.Name[RunManifestStore.IndexPrefix.Length..]).ToArray();

    private static async Task<CycleRecord> CycleAsync(EngineCluster engine, string name, DateTime cycle) =>
        (await new ScheduleStore(engine.Blobs).ReadCycleAsync(name, cycle)).Cycle ?? throw new InvalidOperationException($"No record of {name} {cycle:O}.");

    /// <summary>Ticks until the cycle reaches <paramref name="state"/> (its run finishing in real time), or fails naming what it saw.</summary>
    private static async Task<CycleRecord> TickUntilAsync(EngineCluster engine, IForecastScheduleGrain schedule, DateTime cycle, CycleState state)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            await schedule.TickAsync();
            var record = await CycleAsync(engine, schedule.GetPrimaryKeyString(), cycle);
            if (record.State == state)
            {
                return record;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Cycle {cycle:O} of {schedule.GetPrimaryKeyString()} did not become {state} in {RunTimeout.TotalSeconds} s; it is {record.State} ({record.Reason}).");
            }

            await Task.Delay(200);
        }
    }

    private static ScheduleReconciler ReconcilerOn(EngineCluster engine, SiloHandle silo, string name)
    {
        var services = engine.ServicesOf(silo);
        return new ScheduleReconciler(
            name, services.GetRequiredService<ScheduleStore>(), services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<CycleInitialConditions>(),
            services.GetRequiredService<RunDeletion>(), services.GetRequiredService<ScheduleClock>(), services.GetRequiredService<IOptions<ScheduleOptions>>().Value,
            NullLogger.Instance);
    }

    [Fact]
    public async Task Duplicate_racing_and_late_ticks_start_each_cycle_once()
    {
        var clock = ClockAt(Six.AddMinutes(-1));
        await using var engine = await EngineCluster.StartAsync(silos: 2, clock: clock);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("dup");
        var added = await schedule.AddAsync(Request("dup").ToDefinition(clock.GetUtcNow().UtcDateTime));
        Assert.Equal(Six, added.NextDueUtc);
        Assert.Empty(added.Cycles);

        clock.Advance(TimeSpan.FromSeconds(70));
        // Three ticks of the grain and a reconciler on each silo (a split brain during failover), all at once.
        var a = ReconcilerOn(engine, engine.Cluster.Primary!, "dup");
        var b = ReconcilerOn(engine, engine.Cluster.SecondarySilos[0], "dup");
        await Task.WhenAll(schedule.TickAsync(), schedule.TickAsync(), a.ReconcileAsync(), b.ReconcileAsync(), schedule.TickAsync());
        Assert.Equal(["dup-20240603T0600"], await RunIdsAsync(engine));
        var six = await CycleAsync(engine, "dup", Six);
        Assert.Equal((CycleOrigin.Scheduled, "analytic", Six.AddSeconds(10)), (six.Origin, six.InitialCondition, six.SubmittedUtc));

        // Late ticks of the same cycle change nothing; the next cycle found two hours late still starts (catch-up latest).
        clock.Advance(TimeSpan.FromHours(3));
        await Task.WhenAll(schedule.TickAsync(), a.ReconcileAsync());
        Assert.Equal(["dup-20240603T0600"], await RunIdsAsync(engine));
        await TickUntilAsync(engine, schedule, Six, CycleState.Completed);
        clock.Advance(TimeSpan.FromHours(5));
        await Task.WhenAll(schedule.TickAsync(), b.ReconcileAsync(), schedule.TickAsync());
        Assert.Equal(["dup-20240603T0600", "dup-20240603T1200"], await RunIdsAsync(engine));
        var history = await schedule.HistoryAsync();
        Assert.Equal([Six.AddHours(6), Six], history.Select(c => c.CycleTime));
        var twelve = await TickUntilAsync(engine, schedule, Six.AddHours(6), CycleState.Completed);
        Assert.Equal(Six.AddHours(8).AddSeconds(10), twelve.SubmittedUtc);
        var run = await engine.Grains.GetGrain<IForecastRunGrain>(twelve.RunId).GetStatusAsync();
        Assert.Equal(Request("dup").ToDefinition(Six).Template with { RunId = "dup-20240603T1200", InitTime = Six.AddHours(6) }, run!.Spec);
    }

    [Fact]
    public async Task A_silo_killed_between_record_and_submit_is_repaired_by_the_next_tick_and_a_tick_during_shutdown_starts_nothing_twice()
    {
        var clock = ClockAt(Six.AddMinutes(-1));
        await using var engine = await EngineCluster.StartAsync(silos: 2, clock: clock);
        var store = new ScheduleStore(engine.Blobs);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("crash");
        var definition = (await schedule.AddAsync(Request("crash").ToDefinition(clock.GetUtcNow().UtcDateTime))).Schedule.Definition;

        // What a silo leaves when it dies right after creating the record and recording the initial condition: Starting, no run.
        Assert.True(await store.TryCreateCycleAsync(CyclePlanner.New(definition, Six, CycleOrigin.Scheduled, Six) with
        {
            State = CycleState.Starting, WaitingSinceUtc = Six, InitialCondition = "analytic", DataSource = "analytic",
        }));
        Assert.Empty(await RunIdsAsync(engine));

        // The next tick comes while the silo that holds the schedule grain shuts down.
        clock.Advance(TimeSpan.FromMinutes(2));
        var management = engine.Grains.GetGrain<IManagementGrain>(0);
        var statistics = await management.GetDetailedGrainStatistics();
        var holder = statistics.Single(s => s.GrainId.Type.ToString()!.Contains("schedule", StringComparison.OrdinalIgnoreCase) && s.GrainId.Key.ToString() == "crash").SiloAddress;
        var silo = engine.Cluster.Silos.Single(s => s.SiloAddress.Equals(holder));
        var tick = schedule.TickAsync();
        await engine.Cluster.StopSiloAsync(silo);
        try
        {
            await tick;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // A tick cut short by the shutdown: whatever it wrote, the next tick reconciles.
        }

        await schedule.TickAsync();
        await schedule.TickAsync();
        Assert.Equal(["crash-20240603T0600"], await RunIdsAsync(engine));
        var record = await TickUntilAsync(engine, schedule, Six, CycleState.Completed);
        Assert.Equal(Six.AddMinutes(1), record.SubmittedUtc);
        Assert.Single(await schedule.HistoryAsync());
    }

    [Fact]
    public async Task Data_that_appears_after_three_polls_starts_the_cycle_and_data_that_never_appears_is_missed()
    {
        var clock = ClockAt(Six.AddMinutes(-1));
        await using var engine = await EngineCluster.StartAsync(silos: 1, clock: clock);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("ifs");
        await schedule.AddAsync(Request("ifs", init: "ifs/{cycle:yyyyMMddHH}.nc").ToDefinition(clock.GetUtcNow().UtcDateTime));
        clock.Advance(TimeSpan.FromSeconds(30));
        for (var poll = 1; poll <= 3; poll++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            await schedule.TickAsync();
            await schedule.TickAsync(); // a doubled tick inside a poll interval looks for nothing
            var waiting = await CycleAsync(engine, "ifs", Six);
            Assert.Equal((CycleState.WaitingForData, poll), (waiting.State, waiting.Polls));
            Assert.Equal($"blob ifs/2024060306.nc in {engine.Blobs.Location} is not there yet", waiting.Reason);
        }

        Assert.Empty(await RunIdsAsync(engine));
        await using (var file = File.OpenRead(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc")))
        {
            await engine.Blobs.WriteAsync("ifs/2024060306.nc", file);
        }

        clock.Advance(TimeSpan.FromSeconds(30));
        await schedule.TickAsync();
        var started = await CycleAsync(engine, "ifs", Six);
        Assert.Equal((CycleState.Running, 3, "ifs/2024060306.nc", clock.GetUtcNow().UtcDateTime), (started.State, started.Polls, started.DataSource, started.DataArrivedUtc!.Value));
        Assert.Equal(started.DataArrivedUtc, started.SubmittedUtc);
        // The run starts from exactly the bytes 'graphcast forecast --init 2024060306.nc' prepares from that file.
        using var local = new TemporaryDirectory();
        File.Copy(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"), local.File("2024060306.nc"));
        using (var dataset = await GraphCast.Orleans.Storage.Forecasts.DataSources.OpenAsync(local.File("2024060306.nc")))
        {
            var (byHand, _) = await new InitialConditionStore(engine.Blobs).PrepareAsync("by-hand", dataset, GraphCast.Model.Configuration.Presets.Tiny.Model,
                GraphCast.Model.Configuration.Presets.Tiny.Task, Six, GraphCast.Data.InitialConditions.FillPolicy.Interpolate | GraphCast.Data.InitialConditions.FillPolicy.Analytic);
            Assert.Equal(byHand, started.InitialCondition);
        }

        await TickUntilAsync(engine, schedule, Six, CycleState.Completed);

        // The 12 UTC data never comes: after --max-wait 2m (a poll every 30 s) the cycle is Missed, with the reason.
        clock.SetUtcNow(new DateTimeOffset(Six.AddHours(6)));
        for (var i = 0; i < 5; i++)
        {
            await schedule.TickAsync();
            clock.Advance(TimeSpan.FromSeconds(30));
        }

        var missed = await CycleAsync(engine, "ifs", Six.AddHours(6));
        Assert.Equal((CycleState.Missed, 5), (missed.State, missed.Polls));
        Assert.Equal($"no data within --max-wait 2m (5 polls; last: blob ifs/2024060312.nc in {engine.Blobs.Location} is not there yet)", missed.Reason);
        Assert.Equal(["ifs-20240603T0600"], await RunIdsAsync(engine));
    }

    [Fact]
    public async Task With_fallback_previous_a_cycle_without_data_warm_starts_from_the_previous_forecast_at_the_matching_lead_time()
    {
        var clock = ClockAt(Six.AddMinutes(-1));
        await using var engine = await EngineCluster.StartAsync(silos: 1, clock: clock);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("warm");
        var request = Request("warm", init: "ifs/{cycle:yyyyMMddHH}.nc", steps: "2");
        await schedule.AddAsync(new ScheduleRequest
        {
            Name = request.Name, Cron = request.Cron, Preset = request.Preset, Members = request.Members, Steps = request.Steps, Perturb = request.Perturb,
            Init = request.Init, Fill = request.Fill, MaxWait = request.MaxWait, Fallback = "previous",
        }.ToDefinition(clock.GetUtcNow().UtcDateTime));
        await using (var file = File.OpenRead(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc")))
        {
            await engine.Blobs.WriteAsync("ifs/2024060306.nc", file);
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        await TickUntilAsync(engine, schedule, Six, CycleState.Completed);
        clock.Advance(TimeSpan.FromHours(6));
        for (var i = 0; i < 5; i++)
        {
            await schedule.TickAsync();
            clock.Advance(TimeSpan.FromSeconds(30));
        }

        var warm = await TickUntilAsync(engine, schedule, Six.AddHours(6), CycleState.Completed);
        Assert.True(warm.WarmStart);
        Assert.Equal("the forecast of warm-20240603T0600 at +6 h", warm.DataSource);
        Assert.StartsWith("no data within --max-wait 2m (5 polls; last: blob ifs/2024060312.nc", warm.Reason, StringComparison.Ordinal);
        Assert.EndsWith(": warm start from the forecast of warm-20240603T0600 at +6 h", warm.Reason, StringComparison.Ordinal);

        // Its input frames are the previous run's 06 UTC frame and its forecast for 12 UTC (lead 6 h, member 0), value for value.
        var task = GraphCast.Model.Configuration.Presets.Tiny.Task;
        var model = GraphCast.Model.Configuration.Presets.Tiny.Model;
        var grid = GraphCast.Model.Geometry.GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        var store = new InitialConditionStore(engine.Blobs);
        var previousSpec = (await engine.Grains.GetGrain<IForecastRunGrain>("warm-20240603T0600").GetStatusAsync())!.Spec;
        var warmSpec = (await engine.Grains.GetGrain<IForecastRunGrain>(warm.RunId).GetStatusAsync())!.Spec;
        var previousFrames = await store.ReadAsync(previousSpec, task, grid.GridLatitudes, grid.GridLongitudes);
        var warmFrames = await store.ReadAsync(warmSpec, task, grid.GridLatitudes, grid.GridLongitudes);
        Assert.Equal(previousFrames[^1]["temperature"], warmFrames[0]["temperature"]);
        var lead6 = await ForecastRunTests.ChunkAsync(engine.Blobs, "warm-20240603T0600", "temperature", 0, 1, 0);
        Assert.Equal(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(lead6).ToArray(), warmFrames[1]["temperature"]);
    }

    [Fact]
    public async Task Retention_keeps_the_newest_cycle_and_the_pinned_one_and_prunes_checkpoints_to_the_last()
    {
        var clock = ClockAt(Six.AddMinutes(-1));
        await using var engine = await EngineCluster.StartAsync(silos: 1, clock: clock);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("keep");
        var request = Request("keep", steps: "2");
        await schedule.AddAsync(new ScheduleRequest
        {
            Name = request.Name, Cron = request.Cron, Preset = request.Preset, Members = "2", Steps = request.Steps, Perturb = request.Perturb, Keep = "1",
        }.ToDefinition(clock.GetUtcNow().UtcDateTime));
        await schedule.PinAsync(Six);
        for (var c = 0; c < 3; c++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await TickUntilAsync(engine, schedule, Six.AddHours(6 * c), CycleState.Completed);
            clock.Advance(TimeSpan.FromHours(6) - TimeSpan.FromMinutes(1));
        }

        await schedule.TickAsync();
        Assert.Equal(["keep-20240603T0600", "keep-20240603T1800"], await RunIdsAsync(engine));
        Assert.Empty(await engine.Blobs.ListAsync("runs/keep-20240603T1200/"));
        foreach (var run in new[] { "keep-20240603T0600", "keep-20240603T1800" })
        {
            var checkpoints = (await engine.Blobs.ListAsync(RunLayout.RunPrefix(run) + "members/")).Select(e => e.Name[(RunLayout.RunPrefix(run).Length)..]);
            Assert.Equal(["members/0/checkpoints/000002.safetensors", "members/1/checkpoints/000002.safetensors"], checkpoints);
            Assert.NotEmpty(await engine.Blobs.ListAsync(RunLayout.ForecastStore(run) + "/"));
        }

        var history = await schedule.HistoryAsync();
        Assert.Equal([(false, true), (true, true), (false, true)], history.Select(c => (c.RunDeleted, c.CheckpointsPruned)));
        // Unpinned, the 06 UTC run goes at the next tick; removal keeps nothing of the schedule.
        await schedule.PinAsync(Six, pinned: false);
        Assert.Equal(["keep-20240603T1800"], await RunIdsAsync(engine));
        var removal = await schedule.RemoveAsync(keepRuns: false);
        Assert.Equal(3, removal.CyclesRemoved);
        Assert.Equal(["keep-20240603T1800"], removal.DeletedRuns);
        Assert.Empty(await engine.Blobs.ListAsync("schedules/"));
        Assert.Empty(await RunIdsAsync(engine));
        Assert.Null(await schedule.ShowAsync());
    }

    [Fact]
    public async Task A_backfill_runs_every_cycle_of_its_range_one_at_a_time_in_order_under_max_active_1()
    {
        var clock = ClockAt(Six.AddHours(1));
        await using var engine = await EngineCluster.StartAsync(silos: 1, clock: clock);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("re");
        await schedule.AddAsync(Request("re").ToDefinition(clock.GetUtcNow().UtcDateTime));
        var range = await schedule.BackfillAsync(Six.AddDays(-1), Six.AddDays(-1).AddHours(12));
        Assert.Equal(3, range.Cycles);
        var order = new List<DateTime>();
        var deadline = DateTime.UtcNow + RunTimeout;
        while (order.Count < 3)
        {
            await schedule.TickAsync();
            var cycles = await schedule.HistoryAsync();
            Assert.Equal(3, cycles.Count);
            Assert.True(cycles.Count(c => c.IsActive) <= 1, "max-active 1: " + string.Join(", ", cycles.Select(c => $"{c.CycleTime:dd'T'HH}:{c.State}")));
            foreach (var c in cycles.Where(c => c.IsActive && !order.Contains(c.CycleTime)))
            {
                order.Add(c.CycleTime);
            }

            Assert.True(DateTime.UtcNow < deadline, "The backfill did not start all 3 cycles in time: " + string.Join(", ", cycles.Select(c => $"{c.CycleTime:dd'T'HH}:{c.State}")));
            await Task.Delay(200);
        }

        Assert.Equal([Six.AddDays(-1), Six.AddDays(-1).AddHours(6), Six.AddDays(-1).AddHours(12)], order);
        await TickUntilAsync(engine, schedule, Six.AddDays(-1).AddHours(12), CycleState.Completed);
        Assert.All(await schedule.HistoryAsync(), c => Assert.Equal((CycleState.Completed, CycleOrigin.Backfill), (c.State, c.Origin)));
        Assert.Equal(["re-20240602T0600", "re-20240602T1200", "re-20240602T1800"], await RunIdsAsync(engine));
    }

    [Fact]
    public async Task A_template_forecast_would_refuse_is_refused_with_its_message_and_nothing_is_stored()
    {
        var clock = ClockAt(Six);
        await using var engine = await EngineCluster.StartAsync(silos: 1, clock: clock);
        var bad = Request("bad").ToDefinition(Six);
        var schedule = engine.Grains.GetGrain<IForecastScheduleGrain>("bad");
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => schedule.AddAsync(bad with { Template = bad.Template with { Model = "graphcast-huge" } }));
        var byForecast = await Assert.ThrowsAsync<ArgumentException>(() => engine.Grains.GetGrain<IForecastRunGrain>("x").SubmitAsync(bad.Template with { RunId = "x", Model = "graphcast-huge", InitTime = Six }));
        Assert.Equal(byForecast.Message, unknown.Message);
        var variables = await Assert.ThrowsAsync<ArgumentException>(() => schedule.AddAsync(bad with { Template = bad.Template with { OutputVariables = ["snowfall"] } }));
        Assert.StartsWith("Output variable(s) 'snowfall' are not predicted by the model.", variables.Message, StringComparison.Ordinal);
        var wait = await Assert.ThrowsAsync<ArgumentException>(() => schedule.AddAsync(bad with { Init = "ifs/{cycle}.nc", MaxWait = TimeSpan.FromHours(7) }));
        Assert.StartsWith("--max-wait 7h is longer than the cycle interval 6h", wait.Message, StringComparison.Ordinal);
        Assert.Empty(await engine.Blobs.ListAsync("schedules/"));
        Assert.Empty(await engine.Blobs.ListAsync(""));
        Assert.Null(await schedule.ShowAsync());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => schedule.TriggerAsync());
    }
}
