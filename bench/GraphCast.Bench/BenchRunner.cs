using System.Runtime.InteropServices;

namespace GraphCast.Bench;

/// <summary>
/// Runs the benchmark: graph builds (cold, then cached) per preset and forward steps per preset × dtype, each in a child
/// process; compares bfloat16 with float32 outputs; prints the report and optionally writes it as Markdown.
/// </summary>
internal static class BenchRunner
{
    public static int Run(BenchArguments args)
    {
        if (args.Single is not null)
        {
            return RunSingle(args);
        }

        var machine = MachineInfo.Current();
        Console.Error.WriteLine($"Machine: {machine}");
        var graphs = new List<GraphResult>();
        if (args.Mode is "graphs" or "all")
        {
            foreach (var preset in args.GraphPresets)
            {
                var directory = Directory.CreateTempSubdirectory("graphcast-bench-graphs-");
                try
                {
                    foreach (var phase in new[] { "cold", "cached" })
                    {
                        Console.Error.WriteLine($"Graphs of {preset}: {phase}…");
                        var r = SelfInvocation.Run<GraphResult>(["--single", "graph", "--preset", preset, "--phase", phase, "--graph-cache", directory.FullName]);
                        Console.Error.WriteLine($"  {r.Seconds:F2} s, peak {r.PeakRssBytes / 1e9:F2} GB");
                        graphs.Add(r);
                    }
                }
                finally
                {
                    directory.Delete(recursive: true);
                }
            }
        }

        var forwards = new List<ForwardResult>();
        var differences = new List<(string Preset, double Relative)>();
        if (args.Mode is "model" or "all")
        {
            foreach (var preset in args.ForwardPresets)
            {
                var increments = new Dictionary<string, string>();
                try
                {
                    foreach (var dtype in args.Dtypes)
                    {
                        Console.Error.WriteLine($"Forward of {preset} in {dtype}…");
                        increments[dtype] = Path.Combine(Path.GetTempPath(), $"graphcast-bench-{Guid.NewGuid():N}.f32");
                        List<string> child = ["--single", "forward", "--preset", preset, "--dtype", dtype, "--repeats", args.Repeats.ToString(System.Globalization.CultureInfo.InvariantCulture), "--increments", increments[dtype]];
                        if (args.GraphCache is not null)
                        {
                            child.AddRange(["--graph-cache", args.GraphCache]);
                        }

                        if (!args.CacheStructuralTerms)
                        {
                            child.Add("--no-structural-cache");
                        }

                        if (args.ChunkRows is { } rows)
                        {
                            child.AddRange(["--chunk-rows", rows.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                        }

                        forwards.Add(SelfInvocation.Run<ForwardResult>(child));
                    }

                    if (increments.Count == 2)
                    {
                        var f32 = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(increments["f32"]));
                        var bf16 = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(increments["bf16"]));
                        differences.Add((preset, Statistics.RelativeL2(f32, bf16)));
                    }
                }
                finally
                {
                    foreach (var file in increments.Values)
                    {
                        File.Delete(file);
                    }
                }
            }
        }

        var report = BenchReport.Markdown(args, machine, MachineInfo.LoadAverageNow(), graphs, forwards, differences);
        Console.WriteLine(report);
        if (args.Markdown is not null)
        {
            File.WriteAllText(args.Markdown, report);
            Console.Error.WriteLine($"Wrote {args.Markdown}");
        }

        return 0;
    }

    private static int RunSingle(BenchArguments args)
    {
        var result = args.Result ?? throw new ArgumentException("--single needs --result FILE.");
        var preset = args.Preset ?? throw new ArgumentException("--single needs --preset NAME.");
        switch (args.Single)
        {
            case "forward":
                SelfInvocation.WriteResult(ForwardBenchmark.Run(preset, args.Dtype == "bf16", args.Repeats, args.GraphCache, args.Increments, args.ChunkRows, args.CacheStructuralTerms), result);
                return 0;
            case "graph":
                SelfInvocation.WriteResult(GraphBuildBenchmark.Run(preset, args.Phase ?? "cold", args.GraphCache ?? throw new ArgumentException("--single graph needs --graph-cache DIR.")), result);
                return 0;
            default:
                throw new ArgumentException($"--single takes forward or graph, not '{args.Single}'.");
        }
    }
}
