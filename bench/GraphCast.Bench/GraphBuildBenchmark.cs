using System.Diagnostics;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Network;

namespace GraphCast.Bench;

/// <summary>What building or reading one preset's graphs measured, in its own process.</summary>
internal sealed record GraphResult
{
    public required string Preset { get; init; }

    /// <summary><c>cold</c>: built in an empty cache directory (and written there); <c>cached</c>: read back.</summary>
    public required string Phase { get; init; }

    public required double Seconds { get; init; }

    public required bool FromCache { get; init; }

    public required long PeakRssBytes { get; init; }

    public required long CacheFileBytes { get; init; }

    public required GraphSizes Graphs { get; init; }
}

/// <summary>
/// Builds a preset's graphs (mesh, grid2mesh, mesh2grid and their features) through the model's graph cache: in a fresh
/// directory the build runs and writes the cache file; in the same directory a second process reads it back.
/// </summary>
internal static class GraphBuildBenchmark
{
    public static GraphResult Run(string presetName, string phase, string cacheDirectory)
    {
        var preset = Presets.Get(presetName);
        var watch = Stopwatch.StartNew();
        var (graphs, _, fromCache) = GraphCastModel.LoadGraphs(preset.Model, new GraphCastModelOptions { GraphCacheDirectory = cacheDirectory });
        var seconds = watch.Elapsed.TotalSeconds;
        if (fromCache != (phase == "cached"))
        {
            throw new InvalidOperationException($"The {phase} graph run of {presetName} {(fromCache ? "read" : "built")} its graphs; the cache directory {cacheDirectory} was not as expected.");
        }

        var file = Directory.GetFiles(cacheDirectory).Select(f => new FileInfo(f).Length).Sum();
        return new GraphResult
        {
            Preset = preset.Name,
            Phase = phase,
            Seconds = seconds,
            FromCache = fromCache,
            PeakRssBytes = ProcessSample.Now().PeakRssBytes,
            CacheFileBytes = file,
            Graphs = GraphSizes.Of(graphs),
        };
    }
}
