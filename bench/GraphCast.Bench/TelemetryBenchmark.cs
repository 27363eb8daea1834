using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using GraphCast.Orleans.Storage.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GraphCast.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/GraphCast.Bench -- telemetry [--preset NAME]</c>: what the engine's instruments
/// cost per member step, against the step itself. The engine's own instruments are called, per simulated member step, as
/// often as a member step with a checkpoint every step calls them (four spans; step counter and histogram with model,
/// device and dtype; two compute work items' queue length and wait; one memory-gate wait; one chunk-bytes add per output
/// variable and one write duration; checkpoint bytes and duration), first with nobody listening (the default: the calls
/// return at once), then with a meter listener that aggregates every measurement and an activity listener that records
/// every span (the per-event work of an OpenTelemetry SDK; the periodic export itself runs off the step path). The step
/// time is a bare loop's mean step of the preset, measured in the same run.
/// </summary>
/// <remarks>
/// A microbenchmark of the instrument calls rather than two engine runs with telemetry on and off: on these shared 2-core
/// machines two engine runs differ by several percent from noise alone, far more than the effect to measure.
/// </remarks>
internal static class TelemetryBenchmark
{
    private const int Iterations = 50_000;

    public static async Task<int> RunAsync(BenchArguments args, TextWriter output)
    {
        var preset = args.Preset ?? "demo";
        var c = CultureInfo.InvariantCulture;
        var root = Directory.CreateTempSubdirectory("graphcast-bench-").FullName;
        try
        {
            var spec = new ForecastSpec
            {
                RunId = "bench",
                Model = preset,
                InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc),
                Steps = 4,
                Members = 1,
                Perturbation = PerturbationSpec.Parse("gaussian:0.05"),
            };
            var (stepSeconds, variables) = await BareStepAsync(spec, Path.Combine(root, "graphs"));

            Steps(variables, 1_000);
            var off = Time(variables);
            using var meterListener = new MeterListener();
            var sums = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
            meterListener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngineTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => sums.AddOrUpdate(Key(i, tags), v, (_, s) => s + v));
            meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => sums.AddOrUpdate(Key(i, tags), v, (_, s) => s + v));
            meterListener.Start();
            var spans = 0L;
            using var activityListener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == EngineTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => Interlocked.Increment(ref spans),
            };
            ActivitySource.AddActivityListener(activityListener);
            Steps(variables, 1_000);
            var on = Time(variables);

            output.WriteLine(string.Create(c, $"instrument cost per member step: preset {preset} ({variables} output variables), {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            output.WriteLine(string.Create(c, $"bare step of {preset}: {stepSeconds * 1e3:F1} ms (mean of {spec.Steps} steps after a warm-up step)"));
            output.WriteLine(string.Create(c, $"instruments, nobody listening:          {off * 1e6,8:F2} µs per step = {off / stepSeconds * 100,9:F5} % of the step"));
            output.WriteLine(string.Create(c, $"instruments, metrics and spans recorded: {on * 1e6,8:F2} µs per step = {on / stepSeconds * 100,9:F5} % of the step ({spans} spans recorded)"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = instrument.Name;
        foreach (var tag in tags)
        {
            key += "|" + tag.Key + "=" + tag.Value;
        }

        return key;
    }

    private static double Time(int variables)
    {
        var watch = Stopwatch.StartNew();
        Steps(variables, Iterations);
        return watch.Elapsed.TotalSeconds / Iterations;
    }

    /// <summary>The instrument calls of <paramref name="n"/> member steps with a checkpoint every step.</summary>
    private static void Steps(int variables, int n)
    {
        var tags = new TagList { { "model", "demo" }, { "device", "cpu" }, { "dtype", "float32" } };
        var device = new KeyValuePair<string, object?>("device", "cpu");
        var codec = new KeyValuePair<string, object?>("codec", "zstd");
        for (var i = 0; i < n; i++)
        {
            using var step = EngineTelemetry.Source.StartActivity("member.step");
            step?.SetTag("graphcast.run_id", "bench");
            step?.SetTag("graphcast.member", 0);
            step?.SetTag("graphcast.step", i);
            for (var item = 0; item < 2; item++)
            {
                EngineTelemetry.ComputeQueueLength.Add(1);
                EngineTelemetry.ComputeQueueLength.Add(-1);
                EngineTelemetry.ComputeQueueWait.Record(1e-4);
            }

            EngineTelemetry.MemoryGateWait.Record(0, device);
            using (EngineTelemetry.Source.StartActivity("member.compute"))
            {
            }

            using (EngineTelemetry.Source.StartActivity("forecast.write"))
            {
                for (var v = 0; v < variables; v++)
                {
                    EngineTelemetry.ChunkBytes.Add(100_000, codec);
                }

                EngineTelemetry.ChunkWriteDuration.Record(0.01);
            }

            using (EngineTelemetry.Source.StartActivity("checkpoint.write"))
            {
                EngineTelemetry.CheckpointBytes.Add(1_000_000);
                EngineTelemetry.CheckpointDuration.Record(0.01);
            }

            EngineTelemetry.MemberSteps.Add(1, tags);
            EngineTelemetry.StepDuration.Record(0.5, tags);
        }
    }

    private static async Task<(double Seconds, int Variables)> BareStepAsync(ForecastSpec spec, string graphs)
    {
        using var executor = new StepExecutor(MsOptions.Create(new ComputeOptions()), NullLogger<StepExecutor>.Instance);
        using var registry = new ModelRegistry(MsOptions.Create(new ModelsOptions { GraphCacheDirectory = graphs }), MsOptions.Create(new ComputeOptions()), executor, NullLogger<ModelRegistry>.Instance);
        using var lease = await registry.AcquireAsync(spec.Model);
        await executor.RunAsync(() =>
        {
            MemberRollout.RunBare(spec with { Steps = 1 }, 0, lease);
            return 0;
        });
        var watch = Stopwatch.StartNew();
        await executor.RunAsync(() =>
        {
            MemberRollout.RunBare(spec, 0, lease);
            return 0;
        });
        return (watch.Elapsed.TotalSeconds / spec.Steps, MemberRollout.OutputVariables(spec, lease.Model.Task).Count);
    }
}
