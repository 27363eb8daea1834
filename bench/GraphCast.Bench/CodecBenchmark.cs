using System.Diagnostics;
using System.Globalization;
using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;

namespace GraphCast.Bench;

/// <summary>
/// <c>codecs --run ID [--output DIR]</c>: every chunk of a finished run's forecast through each chunk codec the forecast
/// store offers (none, zlib 1/6/9, zstd 1/3/9/19; each with and without the shuffle filter): stored bytes per member-step, ratio to raw, encode and decode time per
/// member-step (single-threaded, as a member's write is), and a check that every chunk decodes to its exact raw bytes.
/// </summary>
internal static class CodecBenchmark
{
    private static readonly string[] Codecs = ["none", "zlib:1", "zlib:6", "zlib:9", "zstd:1", "zstd:3", "zstd:9", "zstd:19"];

    public static async Task<int> RunAsync(BenchArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        if (arguments.Run is null)
        {
            throw new ArgumentException("codecs needs --run ID: a finished run in --output DIR (e.g. from graphcast forecast --preset demo).");
        }

        var store = new LocalDirectoryBlobStore(arguments.Output);
        var reader = await ZarrForecastReader.OpenForRunAsync(store, arguments.Run, cancellationToken);
        var layout = reader.Layout;
        var chunks = new List<byte[]>();
        for (var member = 0; member < layout.Members; member++)
        {
            for (var step = 0; step < layout.LeadTimesHours.Count; step++)
            {
                foreach (var variable in layout.Variables)
                {
                    if (await reader.ChunkExistsAsync(variable.Name, member, step, cancellationToken))
                    {
                        chunks.Add(await reader.ReadChunkBytesAsync(variable.Name, member, step, cancellationToken));
                    }
                }
            }
        }

        var memberSteps = chunks.Count / (double)layout.Variables.Count;
        long raw = chunks.Sum(c => (long)c.Length);
        output.WriteLine($"Machine: {MachineInfo.Current()}");
        output.WriteLine($"Run {arguments.Run} in {Path.GetFullPath(arguments.Output)}: {chunks.Count} chunks of {layout.Variables.Count} variables, {memberSteps:F0} member-steps, " +
            $"grid {layout.Latitudes.Count}×{layout.Longitudes.Count}, {layout.Levels.Count} levels; raw {raw / memberSteps / 1e6:F3} MB per member-step.");
        output.WriteLine("| codec | MB per member-step | ratio | encode ms per member-step | decode ms per member-step |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var codec in Codecs.SelectMany(c => new[] { ZarrCompressor.Parse(c).WithShuffle(false), ZarrCompressor.Parse(c) }).Distinct())
        {
            var name = codec.ToString();
            long stored = 0;
            var encode = new Stopwatch();
            var decode = new Stopwatch();
            foreach (var chunk in chunks)
            {
                encode.Start();
                var bytes = codec.Encode(chunk);
                encode.Stop();
                decode.Start();
                var back = codec.Decode(bytes, chunk.Length, "chunk");
                decode.Stop();
                if (!back.AsSpan().SequenceEqual(chunk))
                {
                    throw new InvalidOperationException($"{name} did not round-trip a chunk exactly.");
                }

                stored += bytes.Length;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {stored / memberSteps / 1e6:F3} | {(double)raw / stored:F3} | {encode.Elapsed.TotalMilliseconds / memberSteps:F1} | {decode.Elapsed.TotalMilliseconds / memberSteps:F1} |"));
        }

        return 0;
    }
}
