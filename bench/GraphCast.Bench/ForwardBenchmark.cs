using System.Diagnostics;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Network;
using GraphCast.Model.Predictors;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Bench;

/// <summary>What one forward configuration (preset × dtype) measured, in its own process.</summary>
internal sealed record ForwardResult
{
    public required string Preset { get; init; }

    public required string Dtype { get; init; }

    /// <summary>Wall-clock seconds of each timed forward (after one warm-up).</summary>
    public required double[] Seconds { get; init; }

    /// <summary>Wall-clock seconds of the first (warm-up) forward: it also fills the structural-terms cache.</summary>
    public required double FirstSeconds { get; init; }

    /// <summary>Bytes of structural terms cached after the forwards (0 when the cache is off).</summary>
    public required long CachedBytes { get; init; }

    /// <summary>Process CPU seconds (user + system, all threads) of each timed forward.</summary>
    public required double[] CpuSeconds { get; init; }

    /// <summary>System (kernel) CPU seconds of each timed forward: page faults of fresh allocations show up here.</summary>
    public required double[] SystemSeconds { get; init; }

    /// <summary>Minor page faults of each timed forward.</summary>
    public required long[] MinorFaults { get; init; }

    /// <summary>Peak resident memory of the whole process (graphs, parameters, inputs and the forwards).</summary>
    public required long PeakRssBytes { get; init; }

    /// <summary>Peak resident memory from just before the first forward (0 when the kernel cannot reset the peak).</summary>
    public required long ForwardPeakRssBytes { get; init; }

    /// <summary>Resident memory just before the first forward (graphs, parameters, inputs).</summary>
    public required long RssBeforeForwardBytes { get; init; }

    public required double ModelBuildSeconds { get; init; }

    /// <summary>Dense n×n matmul rate in this configuration's dtype, measured in the same process just before.</summary>
    public required double DenseMatmulGflops { get; init; }

    /// <summary>Median seconds per network block over the timed forwards.</summary>
    public required Dictionary<string, double> BlockSeconds { get; init; }

    public required List<BlockFlops> Flops { get; init; }

    public required GraphSizes Graphs { get; init; }

    public required int TorchThreads { get; init; }

    public required long ChunkRows { get; init; }

    /// <summary>Whether bfloat16 matmuls ran natively (false: as float32 GEMMs of bfloat16 operands, see Gemm).</summary>
    public required bool NativeBfloat16Gemm { get; init; }

    public required string LoadBefore { get; init; }

    public required string LoadAfter { get; init; }

    public long ReferenceFlops => Flops.Sum(f => f.Reference);

    public long ExecutedFlops => Flops.Sum(f => f.Executed);

    public double MedianSeconds => Statistics.Median(Seconds);
}

/// <summary>
/// One forward step of a preset's network (random weights, the analytic initial state) in float32 or bfloat16: a warm-up
/// step, then timed steps, each profiled per block, with CPU time, page faults and peak memory.
/// </summary>
internal static class ForwardBenchmark
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    /// <summary>Runs the configuration; writes the warm-up step's increments (prediction − last input) to <paramref name="incrementsPath"/>.</summary>
    public static ForwardResult Run(string presetName, bool bfloat16, int repeats, string? graphCache, string? incrementsPath, long? chunkRows, bool cacheStructuralTerms)
    {
        var loadBefore = MachineInfo.LoadAverageNow();
        var preset = Presets.Get(presetName);
        var dense = DenseMatmul.GflopsPerSecond(bfloat16 ? ScalarType.BFloat16 : ScalarType.Float32);

        var build = Stopwatch.StartNew();
        using var model = GraphCastModel.FromPreset(preset, new GraphCastModelOptions { Bfloat16 = bfloat16, GraphCacheDirectory = graphCache, ChunkRows = chunkRows, CacheStructuralTerms = cacheStructuralTerms });
        var buildSeconds = build.Elapsed.TotalSeconds;
        var layout = model.Predictor.Layout;
        using var carry = InitialCarry.Analytic(layout, model.Latitudes, model.Longitudes, InitTime);
        var forcings = new ComputedForcings(layout, model.Latitudes, model.Longitudes);
        using var forcing = forcings.At(InitTime + layout.Task.TimeStep);
        var inputs = new StepInputs(carry.Frames, carry.Static, forcing);

        var beforeForwards = ProcessSample.Now();
        double warmUpSeconds;
        var peakReset = ProcessSample.ResetPeak();
        Console.Error.WriteLine($"  {presetName} {(bfloat16 ? "bf16" : "f32")}: model ready in {buildSeconds:F1} s, warm-up step…");
        var warmUpStart = Stopwatch.GetTimestamp();
        using (var warmUp = model.Predictor.Step(model.Params, inputs))
        {
            warmUpSeconds = Stopwatch.GetElapsedTime(warmUpStart).TotalSeconds;
            if (incrementsPath is not null)
            {
                WriteIncrements(warmUp, carry, layout, incrementsPath);
            }
        }

        var seconds = new double[repeats];
        var cpu = new double[repeats];
        var system = new double[repeats];
        var faults = new long[repeats];
        var blocks = new Dictionary<string, List<double>>();
        for (var i = 0; i < repeats; i++)
        {
            var s0 = ProcessSample.Now();
            var start = Stopwatch.GetTimestamp();
            using (var profile = ForwardProfile.Start())
            {
                using (model.Predictor.Step(model.Params, inputs))
                {
                }

                foreach (var (block, time) in profile.Blocks)
                {
                    (blocks.TryGetValue(block, out var list) ? list : blocks[block] = []).Add(time.TotalSeconds);
                }
            }

            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var s1 = ProcessSample.Now();
            cpu[i] = (s1.Cpu - s0.Cpu).TotalSeconds;
            system[i] = (s1.System - s0.System).TotalSeconds;
            faults[i] = s1.MinorFaults - s0.MinorFaults;
            Console.Error.WriteLine($"  {presetName} {(bfloat16 ? "bf16" : "f32")}: step {i + 1}/{repeats} {seconds[i]:F2} s (cpu {cpu[i]:F1} s, sys {system[i]:F1} s)");
        }

        var end = ProcessSample.Now();
        return new ForwardResult
        {
            Preset = preset.Name,
            Dtype = bfloat16 ? "bf16" : "f32",
            Seconds = seconds,
            FirstSeconds = warmUpSeconds,
            CachedBytes = model.Predictor.StructuralTerms?.Bytes ?? 0,
            CpuSeconds = cpu,
            SystemSeconds = system,
            MinorFaults = faults,
            // VmHWM before the reset covers building the model; after it, the forwards: the process peak is the larger.
            PeakRssBytes = Math.Max(beforeForwards.PeakRssBytes, end.PeakRssBytes),
            ForwardPeakRssBytes = peakReset ? end.PeakRssBytes : 0,
            RssBeforeForwardBytes = beforeForwards.RssBytes,
            ModelBuildSeconds = buildSeconds,
            DenseMatmulGflops = dense,
            BlockSeconds = blocks.ToDictionary(kv => kv.Key, kv => Statistics.Median(kv.Value)),
            Flops = [.. ForwardFlops.Count(preset.Model, layout.InputChannels, layout.OutputChannels, GraphSizes.Of(model.Graphs), model.Predictor.StructuralTerms is not null)],
            Graphs = GraphSizes.Of(model.Graphs),
            TorchThreads = torch.get_num_threads(),
            ChunkRows = model.Predictor.ChunkRows,
            NativeBfloat16Gemm = GraphCast.Model.Modules.Gemm.NativeBfloat16(model.Predictor.Device),
            LoadBefore = loadBefore,
            LoadAfter = MachineInfo.LoadAverageNow(),
        };
    }

    /// <summary>Prediction − last input frame for targets that are inputs (others as predicted): float32 bytes, grid-major.</summary>
    private static void WriteIncrements(Tensor prediction, RolloutCarry carry, GraphCast.Model.Fields.TaskLayout layout, string path)
    {
        using var scope = torch.NewDisposeScope();
        var baseline = torch.zeros_like(prediction);
        foreach (var block in layout.Targets.Blocks.Where(b => layout.Dynamic.Contains(b.Variable)))
        {
            baseline.narrow(2, block.Offset, block.Levels).copy_(carry.Frames[^1].narrow(2, layout.Dynamic[block.Variable].Offset, block.Levels));
        }

        var increments = prediction.sub(baseline).contiguous();
        File.WriteAllBytes(path, increments.bytes.ToArray());
    }
}
