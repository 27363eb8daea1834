using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>
/// Schedules in blob storage: <c>schedule.json</c> (definition and controls, optimistic concurrency) and the cycle records,
/// created create-only (the exactly-once gate of a cycle) and then updated with optimistic concurrency.
/// </summary>
public sealed class ScheduleStore(IBlobStore blobs)
{
    public IBlobStore Blobs => blobs;

    /// <summary>The schedule and its ETag; (null, null) when there is none.</summary>
    public async Task<(ScheduleRecord? Schedule, string? ETag)> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = ScheduleLayout.Schedule(name);
        try
        {
            var content = await blobs.ReadAsync(blob, cancellationToken).ConfigureAwait(false);
            return (JsonSerializer.Deserialize<ScheduleRecord>(content.Data, SpecHash.Json), content.ETag);
        }
        catch (BlobNotFoundException)
        {
            return (null, null);
        }
    }

    /// <summary>Creates <c>schedule.json</c>; false when the schedule exists with other content.</summary>
    public async Task<bool> TryCreateAsync(ScheduleRecord schedule, CancellationToken cancellationToken = default)
    {
        using var stream = Serialize(schedule);
        return await blobs.TryCreateAsync(ScheduleLayout.Schedule(schedule.Name), stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces <c>schedule.json</c> if it still has <paramref name="etag"/>; returns the new ETag.</summary>
    /// <exception cref="BlobETagMismatchException">Someone else changed it: re-read and apply again.</exception>
    public async Task<string> UpdateAsync(ScheduleRecord schedule, string etag, CancellationToken cancellationToken = default)
    {
        using var stream = Serialize(schedule);
        return await blobs.WriteAsync(ScheduleLayout.Schedule(schedule.Name), stream, etag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The names of every schedule in the store, in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var entries = await blobs.ListAsync(ScheduleLayout.SchedulesPrefix, cancellationToken).ConfigureAwait(false);
        return entries.Select(e => e.Name[ScheduleLayout.SchedulesPrefix.Length..])
            .Where(n => n.EndsWith("/schedule.json", StringComparison.Ordinal) && n.IndexOf('/', StringComparison.Ordinal) == n.Length - "/schedule.json".Length)
            .Select(n => n[..^"/schedule.json".Length])
            .ToArray();
    }

    /// <summary>Creates a cycle record if none exists for its cycle; false when one exists (it is left as it was).</summary>
    public async Task<bool> TryCreateCycleAsync(CycleRecord cycle, CancellationToken cancellationToken = default)
    {
        using var stream = Serialize(cycle);
        return await blobs.TryCreateAsync(ScheduleLayout.Cycle(cycle.Schedule, cycle.CycleTime), stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A cycle record and its ETag; (null, null) when there is none.</summary>
    public async Task<(CycleRecord? Cycle, string? ETag)> ReadCycleAsync(string name, DateTime cycleTime, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await blobs.ReadAsync(ScheduleLayout.Cycle(name, cycleTime), cancellationToken).ConfigureAwait(false);
            return (JsonSerializer.Deserialize<CycleRecord>(content.Data, SpecHash.Json), content.ETag);
        }
        catch (BlobNotFoundException)
        {
            return (null, null);
        }
    }

    /// <summary>Replaces a cycle record if it still has <paramref name="etag"/>; returns the new ETag.</summary>
    /// <exception cref="BlobETagMismatchException">Another tick changed it: re-read it and decide again.</exception>
    public async Task<string> UpdateCycleAsync(CycleRecord cycle, string etag, CancellationToken cancellationToken = default)
    {
        using var stream = Serialize(cycle);
        return await blobs.WriteAsync(ScheduleLayout.Cycle(cycle.Schedule, cycle.CycleTime), stream, etag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cycle times that have records, ascending.</summary>
    public async Task<IReadOnlyList<DateTime>> ListCyclesAsync(string name, CancellationToken cancellationToken = default)
    {
        var entries = await blobs.ListAsync(ScheduleLayout.CyclesPrefix(name), cancellationToken).ConfigureAwait(false);
        var times = new List<DateTime>(entries.Count);
        foreach (var e in entries)
        {
            if (ScheduleLayout.TryParseCycle(e.Name, out var t))
            {
                times.Add(t);
            }
        }

        times.Sort();
        return times;
    }

    /// <summary>
    /// What <c>schedule show</c> gives, read from the stored records at <paramref name="nowUtc"/>: the schedule, its next due
    /// cycle (none while paused) and its <paramref name="recent"/> newest cycles; null when there is no such schedule. The
    /// grain and the CLI (reading a store without a silo) share it.
    /// </summary>
    public async Task<ScheduleView?> ReadViewAsync(string name, int recent, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var (schedule, _) = await ReadAsync(name, cancellationToken).ConfigureAwait(false);
        if (schedule is null)
        {
            return null;
        }

        var cron = ScheduleCron.Parse(schedule.Definition.Cron, schedule.Definition.TimeZone);
        return new ScheduleView
        {
            Schedule = schedule,
            NextDueUtc = schedule.Paused ? null : cron.Next(nowUtc),
            Cycles = await ReadNewestCyclesAsync(name, recent, cancellationToken).ConfigureAwait(false),
            NowUtc = nowUtc,
        };
    }

    /// <summary>The records of the <paramref name="count"/> newest cycles (by cycle time), newest first.</summary>
    public async Task<IReadOnlyList<CycleRecord>> ReadNewestCyclesAsync(string name, int count, CancellationToken cancellationToken = default)
    {
        var times = await ListCyclesAsync(name, cancellationToken).ConfigureAwait(false);
        var result = new List<CycleRecord>(Math.Clamp(count, 0, times.Count));
        foreach (var t in times.Reverse().Take(Math.Max(0, count)))
        {
            if ((await ReadCycleAsync(name, t, cancellationToken).ConfigureAwait(false)).Cycle is { } cycle)
            {
                result.Add(cycle);
            }
        }

        return result;
    }

    /// <summary>Deletes the schedule's cycle records, then <c>schedule.json</c> (so a crash midway leaves a schedule that can be removed again).</summary>
    public async Task<int> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var cycles = await ListCyclesAsync(name, cancellationToken).ConfigureAwait(false);
        foreach (var t in cycles)
        {
            await blobs.DeleteAsync(ScheduleLayout.Cycle(name, t), cancellationToken).ConfigureAwait(false);
        }

        await blobs.DeleteAsync(ScheduleLayout.Schedule(name), cancellationToken).ConfigureAwait(false);
        return cycles.Count;
    }

    private static MemoryStream Serialize<T>(T value) => new(JsonSerializer.SerializeToUtf8Bytes(value, SpecHash.Json));
}
