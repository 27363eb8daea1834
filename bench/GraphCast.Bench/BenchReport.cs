using System.Globalization;
using System.Text;

namespace GraphCast.Bench;

/// <summary>The benchmark's report as Markdown (printed, and written to a file on request): machine, command, tables, bars.</summary>
internal static class BenchReport
{
    /// <summary>NVIDIA PhysicsNeMo GraphCastNet (fp32, OpenBLAS) on the same kind of 2-core machine: one GraphCast_small forward.</summary>
    private const double PhysicsNemoSeconds = 36.6;

    private const double TargetF32Seconds = 24;
    private const double TargetBf16Seconds = 12;
    private const double TargetPeakGB = 3.8;
    private const double TargetBf16Relative = 1e-2;

    public static string Markdown(
        BenchArguments args, MachineInfo machine, string loadAtEnd, IReadOnlyList<GraphResult> graphs,
        IReadOnlyList<ForwardResult> forwards, IReadOnlyList<(string Preset, double Relative)> differences)
    {
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.AppendLine(s.ToString(CultureInfo.InvariantCulture));

        sb.AppendLine(args.CommandLine.Length == 0
            ? "Command: `dotnet run -c Release --project bench/GraphCast.Bench`"
            : $"Command: `dotnet run -c Release --project bench/GraphCast.Bench -- {args.CommandLine}`");
        Line($"");
        Line($"Machine: {machine.Cores} cores, {machine.CpuModel}{(machine.Avx512Bf16 ? " (avx512_bf16)" : "")}, {machine.MemoryGiB:F0} GiB; LibTorch intra-op threads {machine.TorchThreads}, inter-op {machine.TorchInteropThreads}.");
        Line($"Load average (1/5/15 min) at start: {machine.LoadAverage}; at end: {loadAtEnd}.");
        Line($"Run at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");

        if (graphs.Count > 0)
        {
            Line($"");
            Line($"### Graph build (cold: fresh cache directory, built and written; cached: read back by a new process)");
            Line($"");
            Line($"| preset | grid nodes | mesh nodes | mesh edges | grid2mesh edges | mesh2grid edges | cold s | cold peak GB | cached s | cached peak GB | cache MB |");
            Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var preset in graphs.Select(g => g.Preset).Distinct())
            {
                var cold = graphs.FirstOrDefault(g => g.Preset == preset && g.Phase == "cold");
                var cached = graphs.FirstOrDefault(g => g.Preset == preset && g.Phase == "cached");
                var s = (cold ?? cached)!.Graphs;
                Line($"| {preset} | {s.GridNodes:N0} | {s.MeshNodes:N0} | {s.MeshEdges:N0} | {s.Grid2MeshEdges:N0} | {s.Mesh2GridEdges:N0} | {cold?.Seconds:F2} | {cold?.PeakRssBytes / 1e9:F2} | {cached?.Seconds:F2} | {cached?.PeakRssBytes / 1e9:F2} | {(cached ?? cold)!.CacheFileBytes / 1e6:F1} |");
            }
        }

        if (forwards.Count > 0)
        {
            Line($"");
            Line($"### One forward step (batch 1, random weights, analytic state; median of {forwards[0].Seconds.Length} after a warm-up)");
            Line($"");
            Line($"FLOPs count 2·M·K·N per matmul from the layer shapes (gathers, sums, activations, norms: 0). *Reference*: every MLP on its");
            Line($"concatenated input (the algebra of the paper and of PhysicsNeMo). *Executed*: what this port multiplies (edge MLPs' first");
            Line($"layers applied to node latents before the gather). Achieved rate = executed FLOPs / median time; dense = 2048³ matmul in");
            Line($"the same dtype, measured in the same process just before. CPU = user + system seconds of all threads.");
            Line($"");
            Line($"| preset | dtype | median s | min s | max s | first s | CPU s | sys s | peak RSS GB | forward peak GB | reference TFLOP | executed TFLOP | achieved GFLOP/s | dense GFLOP/s | of dense | load before → after |");
            Line($"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var f in forwards)
            {
                var median = f.MedianSeconds;
                var achieved = f.ExecutedFlops / median / 1e9;
                Line($"| {f.Preset} | {f.Dtype} | {median:F2} | {f.Seconds.Min():F2} | {f.Seconds.Max():F2} | {f.FirstSeconds:F2} | {Statistics.Median(f.CpuSeconds):F1} | {Statistics.Median(f.SystemSeconds):F1} | {f.PeakRssBytes / 1e9:F2} | {f.ForwardPeakRssBytes / 1e9:F2} | {f.ReferenceFlops / 1e12:F3} | {f.ExecutedFlops / 1e12:F3} | {achieved:F0} | {f.DenseMatmulGflops:F0} | {achieved / f.DenseMatmulGflops:P0} | {f.LoadBefore} → {f.LoadAfter} |");
            }

            var first = forwards[0];
            Line($"");
            var cache = string.Join(", ", forwards.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Preset} {f.Dtype} {f.CachedBytes / 1e6:F0} MB")));
            Line($"Settings: chunk rows {string.Join("/", forwards.Select(f => f.ChunkRows).Distinct())}; bfloat16 matmuls {(first.NativeBfloat16Gemm ? "native" : "as float32 GEMMs of bfloat16 operands (no bf16 GEMM on this CPU)")}; structural terms cached between steps: {cache} (first s = the warm-up step, which fills the cache).");

            if (differences.Count > 0)
            {
                Line($"");
                var listed = string.Join("; ", differences.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Preset} {d.Relative:E2}")));
                Line($"bfloat16 vs float32, relative L2 of the increments (prediction − last input): {listed}.");
            }

            Bars(forwards, differences, Line);
            Blocks(forwards, Line);
        }

        return sb.ToString();
    }

    private static void Bars(IReadOnlyList<ForwardResult> forwards, IReadOnlyList<(string Preset, double Relative)> differences, Action<FormattableString> line)
    {
        var f32 = forwards.FirstOrDefault(f => f.Preset == "graphcast-small" && f.Dtype == "f32");
        var bf16 = forwards.FirstOrDefault(f => f.Preset == "graphcast-small" && f.Dtype == "bf16");
        if (f32 is null && bf16 is null)
        {
            return;
        }

        string Mark(bool ok) => ok ? "met" : "**not met**";
        line($"");
        line($"### Bars for graphcast-small (PhysicsNeMo GraphCastNet fp32 on this kind of machine: {PhysicsNemoSeconds} s, 4.1 TFLOP, 3.8 GB peak)");
        line($"");
        if (f32 is not null)
        {
            line($"- float32: {f32.MedianSeconds:F1} s (target ≤ {TargetF32Seconds} s: {Mark(f32.MedianSeconds <= TargetF32Seconds)}; {PhysicsNemoSeconds / f32.MedianSeconds:F2}× PhysicsNeMo), peak {f32.PeakRssBytes / 1e9:F2} GB (≤ {TargetPeakGB} GB: {Mark(f32.PeakRssBytes / 1e9 <= TargetPeakGB)})");
        }

        if (bf16 is not null)
        {
            line($"- bfloat16: {bf16.MedianSeconds:F1} s (target ≤ {TargetBf16Seconds} s: {Mark(bf16.MedianSeconds <= TargetBf16Seconds)}; {PhysicsNemoSeconds / bf16.MedianSeconds:F2}× PhysicsNeMo), peak {bf16.PeakRssBytes / 1e9:F2} GB (≤ {TargetPeakGB} GB: {Mark(bf16.PeakRssBytes / 1e9 <= TargetPeakGB)})");
        }

        foreach (var (preset, relative) in differences.Where(d => d.Preset == "graphcast-small"))
        {
            line($"- bfloat16 vs float32 increments: {relative:E2} relative (≤ {TargetBf16Relative:E0}: {Mark(relative <= TargetBf16Relative)})");
        }
    }

    /// <summary>Per-block median seconds and achieved GFLOP/s; the mesh steps are summed into one row.</summary>
    private static void Blocks(IReadOnlyList<ForwardResult> forwards, Action<FormattableString> line)
    {
        static string Group(string block) => block.StartsWith("mesh_gnn/step_", StringComparison.Ordinal) ? "mesh_gnn/steps (all)" : block;

        var rows = forwards.SelectMany(f => f.BlockSeconds.Keys).Select(Group).Distinct().ToList();
        line($"");
        line($"### Forward breakdown per block: median seconds (achieved executed GFLOP/s)");
        line($"");
        line($"| block | {string.Join(" | ", forwards.Select(f => $"{f.Preset} {f.Dtype}"))} |");
        line($"|---|{string.Concat(forwards.Select(_ => "---:|"))}");
        foreach (var row in rows.Append("other (total − blocks)"))
        {
            var cells = forwards.Select(f =>
            {
                double seconds;
                long flops;
                if (row.StartsWith("other", StringComparison.Ordinal))
                {
                    seconds = f.MedianSeconds - f.BlockSeconds.Values.Sum();
                    flops = 0;
                }
                else
                {
                    seconds = f.BlockSeconds.Where(kv => Group(kv.Key) == row).Sum(kv => kv.Value);
                    flops = f.Flops.Where(b => Group(b.Block) == row).Sum(b => b.Executed);
                }

                return flops > 0 && seconds > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F3} ({flops / seconds / 1e9:F0})")
                    : string.Create(CultureInfo.InvariantCulture, $"{seconds:F3}");
            });
            line($"| {row} | {string.Join(" | ", cells)} |");
        }
    }
}
