using System.Collections.Immutable;
using GraphCast.Orleans.Grains.EnsembleStatistics;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Tests.Blobs;

namespace GraphCast.Orleans.Grains.Tests.EnsembleStatistics;

/// <summary>
/// A statistics pass on a small synthetic forecast: the offline two-pass float64 statistics, one variable at a time with
/// the member count last, NaN rules, one variable only when one is asked for, and passes serialised by the gate.
/// </summary>
public sealed class EnsembleStepStatisticsTests : IDisposable
{
    private const string RunId = "synthetic";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-stats-");
    private readonly LocalDirectoryBlobStore _blobs;

    public EnsembleStepStatisticsTests()
    {
        _blobs = new LocalDirectoryBlobStore(_root.FullName);
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>
    /// <paramref name="members"/> members, 2 steps, 3 levels, a 5 × 8 grid; a surface variable and two with levels, of
    /// very different magnitudes (geopotential ~5e4 with spreads ~1: what a sum-of-squares formula gets wrong).
    /// </summary>
    internal static ForecastStoreLayout SyntheticLayout(int members) =>
        new(
            Members: members,
            LeadTimesHours: [6, 12],
            Levels: [250, 500, 850],
            Latitudes: [-60f, -30f, 0f, 30f, 60f],
            Longitudes: [0f, 45f, 90f, 135f, 180f, 225f, 270f, 315f],
            InitTime: new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc),
            Variables:
            [
                new ForecastVariable("2m_temperature", HasLevels: false, "K", "2 metre temperature"),
                new ForecastVariable("geopotential", HasLevels: true, "m**2 s**-2", "geopotential"),
                new ForecastVariable("specific_humidity", HasLevels: true, "kg kg**-1", "specific humidity"),
            ])
        {
            Attributes = ImmutableSortedDictionary.CreateRange<string, string>(StringComparer.Ordinal, [new("run_id", RunId)]),
        };

    /// <summary>Writes every variable of <paramref name="member"/> at <paramref name="step"/> (0-based): a field plus member noise, reproducible.</summary>
    internal static async Task WriteMemberAsync(ZarrForecastWriter writer, int member, int step)
    {
        var layout = writer.Layout;
        for (var v = 0; v < layout.Variables.Count; v++)
        {
            var variable = layout.Variables[v];
            var (baseline, noise) = variable.Name switch
            {
                "geopotential" => (5.0e4, 1.0),
                "specific_humidity" => (1.0e-3, 1.0e-4),
                _ => (280.0, 2.0),
            };
            var random = new Random((member * 1000) + (step * 10) + v);
            var values = new float[layout.ChunkLength(variable)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(baseline * (1 + (0.01 * Math.Sin(i))) + (noise * (random.NextDouble() - 0.5)));
            }

            await writer.WriteChunkAsync(variable.Name, member, step, values);
        }
    }

    [Fact]
    public async Task A_pass_writes_the_offline_two_pass_statistics_of_its_members_and_their_count_and_repeats_bit_for_bit()
    {
        var (forecast, stats) = await SyntheticStoreAsync(_blobs, members: 4);
        var statistics = new EnsembleStepStatistics(forecast, step: 2);

        await statistics.WriteAsync(stats, [3, 0, 1]);

        await EnsembleStatisticsTests.AssertEqualsOfflineAsync(forecast, stats, 2, [0, 1, 3]);
        Assert.Equal(3, await stats.TryReadMemberCountAsync(1));
        Assert.Null(await stats.TryReadMemberCountAsync(0));
        var first = await ReadAllAsync(stats, step: 2);
        await statistics.WriteAsync(stats, [0, 1, 3]);
        Assert.Equal(first, await ReadAllAsync(stats, step: 2));
    }

    [Fact]
    public async Task A_pass_reads_and_writes_one_variable_at_a_time_in_member_order_and_writes_the_count_last()
    {
        var recording = new RecordingBlobStore(_blobs);
        var (_, _) = await SyntheticStoreAsync(_blobs, members: 3);
        var forecast = await ZarrForecastReader.OpenForRunAsync(recording, RunId);
        var stats = await EnsembleStatisticsStore.CreateForRunAsync(recording, RunId, forecast.Layout);
        var before = recording.Calls.Count;

        await new EnsembleStepStatistics(forecast, step: 1).WriteAsync(stats, [2, 0, 1]);

        var expected = new List<RecordingBlobStore.BlobCall>();
        foreach (var variable in forecast.Layout.Variables)
        {
            foreach (var member in new[] { 0, 1, 2 })
            {
                expected.Add(new(RecordingBlobStore.Operation.Read, $"{RunLayout.ForecastStore(RunId)}/{ZarrForecastWriter.ChunkKey(variable, member, 0)}"));
            }

            var index = variable.HasLevels ? "0.0.0.0" : "0.0.0";
            expected.Add(new(RecordingBlobStore.Operation.Write, $"{RunLayout.StatisticsStore(RunId)}/{variable.Name}_mean/{index}"));
            expected.Add(new(RecordingBlobStore.Operation.Write, $"{RunLayout.StatisticsStore(RunId)}/{variable.Name}_spread/{index}"));
        }

        expected.Add(new(RecordingBlobStore.Operation.Write, $"{RunLayout.StatisticsStore(RunId)}/{EnsembleStatisticsStore.MemberCountArray}/0"));
        Assert.Equal(expected, recording.Calls.Skip(before));
    }

    [Fact]
    public async Task No_members_give_NaN_and_a_count_of_0_and_one_member_its_own_values_with_NaN_spread()
    {
        var (forecast, stats) = await SyntheticStoreAsync(_blobs, members: 3);

        await new EnsembleStepStatistics(forecast, step: 1).WriteAsync(stats, []);
        await new EnsembleStepStatistics(forecast, step: 2).WriteAsync(stats, [1]);

        Assert.Equal(0, await stats.TryReadMemberCountAsync(0));
        Assert.Equal(1, await stats.TryReadMemberCountAsync(1));
        foreach (var variable in forecast.Layout.Variables)
        {
            Assert.All(await stats.ReadAsync(variable.Name, EnsembleStatistic.Mean, 0), v => Assert.True(float.IsNaN(v)));
            Assert.All(await stats.ReadAsync(variable.Name, EnsembleStatistic.Spread, 0), v => Assert.True(float.IsNaN(v)));
            Assert.Equal(await forecast.ReadChunkAsync(variable.Name, 1, 1), await stats.ReadAsync(variable.Name, EnsembleStatistic.Mean, 1));
            Assert.All(await stats.ReadAsync(variable.Name, EnsembleStatistic.Spread, 1), v => Assert.True(float.IsNaN(v)));
        }
    }

    [Fact]
    public async Task Computing_one_variable_reads_only_that_variable_and_gives_its_offline_statistics()
    {
        var recording = new RecordingBlobStore(_blobs);
        await SyntheticStoreAsync(_blobs, members: 4);
        var forecast = await ZarrForecastReader.OpenForRunAsync(recording, RunId);
        var before = recording.Calls.Count;
        var statistics = new EnsembleStepStatistics(forecast, step: 2);

        var (mean, spread) = await statistics.ComputeAsync("geopotential", [2, 0]);

        var geopotential = forecast.Layout.Variable("geopotential");
        Assert.Equal(
            [.. new[] { 0, 2 }.Select(m => new RecordingBlobStore.BlobCall(RecordingBlobStore.Operation.Read, $"{RunLayout.ForecastStore(RunId)}/{ZarrForecastWriter.ChunkKey(geopotential, m, 1)}"))],
            recording.Calls.Skip(before));
        var (offlineMean, offlineSpread) = await EnsembleStatisticsTests.OfflineAsync(forecast, "geopotential", 2, [0, 2]);
        EnsembleStatisticsTests.AssertWithinOneUlp(offlineMean, mean, "geopotential mean");
        EnsembleStatisticsTests.AssertWithinOneUlp(offlineSpread, spread, "geopotential spread");
    }

    [Fact]
    public async Task Complete_members_are_those_with_every_chunk_of_the_step()
    {
        var layout = SyntheticLayout(members: 3);
        var writer = await ZarrForecastWriter.CreateForRunAsync(_blobs, RunId, layout);
        await WriteMemberAsync(writer, member: 0, step: 0);
        await WriteMemberAsync(writer, member: 2, step: 0);
        // Member 1 died after its first chunk of the step.
        await writer.WriteChunkAsync(layout.Variables[0].Name, 1, 0, new float[layout.ChunkLength(layout.Variables[0])]);
        var statistics = new EnsembleStepStatistics(await ZarrForecastReader.OpenForRunAsync(_blobs, RunId), step: 1);

        Assert.Equal([0, 2], await statistics.CompleteMembersAsync());
        Assert.False(await statistics.IsCompleteAsync(1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => statistics.IsCompleteAsync(3));
    }

    [Fact]
    public async Task Two_passes_through_a_gate_of_one_never_interleave_their_reads_and_writes()
    {
        await SyntheticStoreAsync(_blobs, members: 3);
        // Every store call yields, so two passes that were not serialised would interleave their calls.
        var recording = new RecordingBlobStore(_blobs) { YieldOnEveryCall = true };
        var forecast = await ZarrForecastReader.OpenForRunAsync(recording, RunId);
        var stats = await EnsembleStatisticsStore.CreateForRunAsync(recording, RunId, forecast.Layout);
        var before = recording.Calls.Count;
        using var gate = new StatisticsPassGate(concurrency: 1);

        await Task.WhenAll(
            gate.RunAsync(() => new EnsembleStepStatistics(forecast, step: 1).WriteAsync(stats, [0, 1, 2])),
            gate.RunAsync(() => new EnsembleStepStatistics(forecast, step: 2).WriteAsync(stats, [0, 1, 2])));

        var steps = recording.Calls.Skip(before).Select(PassStep).ToList();
        Assert.Equal(2 * (3 * 3 + (3 * 2) + 1), steps.Count);
        Assert.Equal(1, steps.Zip(steps.Skip(1)).Count(pair => pair.First != pair.Second));
    }

    [Fact]
    public async Task A_gate_of_two_runs_two_passes_at_once_and_holds_the_others_until_one_ends()
    {
        using var gate = new StatisticsPassGate(concurrency: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int entered = 0, active = 0, mostActive = 0;
        async Task PassAsync()
        {
            Interlocked.Increment(ref entered);
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref mostActive, now);
            await release.Task;
            await Task.Yield();
            Interlocked.Decrement(ref active);
        }

        // A free slot is taken synchronously: the first two passes are inside before RunAsync returns, the rest wait.
        var passes = Enumerable.Range(0, 6).Select(_ => gate.RunAsync(PassAsync)).ToList();
        Assert.Equal(2, Volatile.Read(ref entered));
        release.SetResult();
        await Task.WhenAll(passes);

        Assert.Equal(6, entered);
        Assert.Equal(2, mostActive);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StatisticsPassGate(concurrency: 0));
    }

    [Fact]
    public void Statistics_options_are_validated_with_messages_that_name_the_setting()
    {
        var validator = new GraphCast.Orleans.Grains.Options.EngineOptionsValidator();
        Assert.True(validator.Validate(null, new() { StatisticsInterval = TimeSpan.Zero, StatisticsConcurrency = 1 }).Succeeded);

        var result = validator.Validate(null, new() { StatisticsInterval = TimeSpan.FromSeconds(-1), StatisticsConcurrency = 0 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Engine:StatisticsInterval must be zero", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Engine:StatisticsConcurrency must be at least 1", StringComparison.Ordinal));
    }

    /// <summary>A forecast of <paramref name="members"/> members with both steps written, and its (empty) statistics store.</summary>
    private static async Task<(ZarrForecastReader Forecast, EnsembleStatisticsStore Stats)> SyntheticStoreAsync(IBlobStore blobs, int members)
    {
        var layout = SyntheticLayout(members);
        var writer = await ZarrForecastWriter.CreateForRunAsync(blobs, RunId, layout);
        for (var member = 0; member < members; member++)
        {
            for (var step = 0; step < layout.LeadTimesHours.Count; step++)
            {
                await WriteMemberAsync(writer, member, step);
            }
        }

        var forecast = await ZarrForecastReader.OpenForRunAsync(blobs, RunId);
        return (forecast, await EnsembleStatisticsStore.CreateForRunAsync(blobs, RunId, layout));
    }

    private static async Task<List<float[]>> ReadAllAsync(EnsembleStatisticsStore stats, int step)
    {
        var all = new List<float[]>();
        foreach (var variable in stats.Layout.Variables)
        {
            all.Add(await stats.ReadAsync(variable.Name, EnsembleStatistic.Mean, step - 1));
            all.Add(await stats.ReadAsync(variable.Name, EnsembleStatistic.Spread, step - 1));
        }

        return all;
    }

    /// <summary>The 0-based step a pass's call is about: the second chunk index of a forecast chunk, the first of a statistics chunk.</summary>
    internal static int PassStep(RecordingBlobStore.BlobCall call)
    {
        var key = call.Name[(call.Name.LastIndexOf('/') + 1)..].Split('.');
        return call.Name.Contains("/forecast.zarr/", StringComparison.Ordinal) ? int.Parse(key[1], System.Globalization.CultureInfo.InvariantCulture) : int.Parse(key[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
