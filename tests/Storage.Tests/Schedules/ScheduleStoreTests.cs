using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Schedules;
using GraphCast.Testing;

namespace GraphCast.Orleans.Storage.Tests.Schedules;

/// <summary>Schedules in a blob store: create-only cycle records (one winner of a race), optimistic updates, listing, and what retention deletes.</summary>
public sealed class ScheduleStoreTests
{
    private static readonly DateTime Cycle = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    private static ScheduleRecord Schedule(string name) => new()
    {
        Definition = new ScheduleDefinition
        {
            Name = name,
            Cron = "0 */6 * * *",
            Template = new ForecastSpec { RunId = name, Model = "tiny", InitTime = DateTime.UnixEpoch, Steps = 1, Members = 1 },
        },
    };

    [Fact]
    public async Task Two_racing_creates_of_one_cycle_leave_one_record_and_a_stale_update_is_refused()
    {
        using var dir = new TemporaryDirectory();
        var store = new ScheduleStore(new LocalDirectoryBlobStore(dir.Path));
        Assert.True(await store.TryCreateAsync(Schedule("ifs")));
        var a = new CycleRecord { Schedule = "ifs", CycleTime = Cycle, RunId = ScheduleLayout.RunId("ifs", Cycle), CreatedUtc = Cycle };
        var b = a with { CreatedUtc = Cycle.AddSeconds(1) };
        var results = await Task.WhenAll(store.TryCreateCycleAsync(a), store.TryCreateCycleAsync(b));
        Assert.Equal(1, results.Count(r => r));
        Assert.Equal("ifs-20240603T0600", a.RunId);
        Assert.Equal(["schedules/ifs/cycles/20240603T0600.json", "schedules/ifs/schedule.json"], (await store.Blobs.ListAsync("schedules/")).Select(e => e.Name));

        var (read, etag) = await store.ReadCycleAsync("ifs", Cycle);
        await store.UpdateCycleAsync(read! with { State = CycleState.Starting }, etag!);
        await Assert.ThrowsAsync<BlobETagMismatchException>(() => store.UpdateCycleAsync(read! with { State = CycleState.Missed }, etag!));
        Assert.Equal(CycleState.Starting, (await store.ReadCycleAsync("ifs", Cycle)).Cycle!.State);
        Assert.Equal([Cycle], await store.ListCyclesAsync("ifs"));
        Assert.Equal(["ifs"], await store.ListAsync());
        Assert.Equal(1, await store.DeleteAsync("ifs"));
        Assert.Empty(await store.Blobs.ListAsync("schedules/"));
    }

    [Fact]
    public async Task Retention_deletes_a_finished_run_whole_prunes_checkpoints_to_the_last_and_never_touches_a_running_run()
    {
        using var dir = new TemporaryDirectory();
        var blobs = new LocalDirectoryBlobStore(dir.Path);
        var manifests = new RunManifestStore(blobs);
        var deletion = new RunDeletion(manifests);
        async Task Run(string id, RunState state)
        {
            var spec = new ForecastSpec { RunId = id, Model = "tiny", InitTime = Cycle, Steps = 3, Members = 2 };
            await manifests.TryCreateAsync(new RunStatus { Spec = spec, State = state });
            foreach (var name in new[] { "forecast.zarr/.zmetadata", "members/0/checkpoints/000001.safetensors", "members/0/checkpoints/000002.safetensors",
                         "members/0/checkpoints/000003.safetensors", "members/1/checkpoints/000002.safetensors", "members/1/checkpoints/000003.safetensors" })
            {
                await blobs.WriteAsync(RunLayout.RunPrefix(id) + name, new MemoryStream([1, 2, 3]));
            }
        }

        await Run("old", RunState.Completed);
        await Run("busy", RunState.Running);
        Assert.Null(await deletion.DeleteFinishedAsync("busy"));
        Assert.Null(await deletion.PruneCheckpointsAsync("busy"));
        Assert.Equal(3, await deletion.PruneCheckpointsAsync("old"));
        Assert.Equal(
            ["runs/old/forecast.zarr/.zmetadata", "runs/old/members/0/checkpoints/000003.safetensors", "runs/old/members/1/checkpoints/000003.safetensors", "runs/old/run.json"],
            (await blobs.ListAsync("runs/old/")).Select(e => e.Name));
        Assert.Equal(4, await deletion.DeleteFinishedAsync("old"));
        Assert.Empty(await blobs.ListAsync("runs/old/"));
        Assert.False(await blobs.ExistsAsync("index/old"));
        Assert.Equal(7, (await blobs.ListAsync("runs/busy/")).Count);
        Assert.Equal(["busy"], (await manifests.ListAsync()).Select(s => s.RunId));
    }
}
