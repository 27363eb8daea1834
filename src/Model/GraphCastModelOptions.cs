using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model;

/// <summary>How to build a <see cref="GraphCastModel"/>: device, precision, where graphs are cached, the seed of random weights, statistics.</summary>
public sealed record GraphCastModelOptions
{
    public Device Device { get; init; } = CPU;

    /// <summary>Run the network in bfloat16 (float32 master parameters).</summary>
    public bool Bfloat16 { get; init; }

    /// <summary>Directory of the graph cache; null → <see cref="DefaultGraphCacheDirectory"/>; "" → no cache.</summary>
    public string? GraphCacheDirectory { get; init; }

    /// <summary>Seed of the random parameters of a preset (ignored for a checkpoint).</summary>
    public long Seed { get; init; }

    /// <summary>Normalisation statistics; null → read from <see cref="NormalizationStatsDirectory"/>, else identity statistics (mean 0, stddev 1).</summary>
    public NormalizationStats? Stats { get; init; }

    /// <summary>A directory with the reference's <c>mean_by_level.nc</c>, <c>stddev_by_level.nc</c> and <c>diffs_stddev_by_level.nc</c>.</summary>
    public string? NormalizationStatsDirectory { get; init; }

    /// <summary>The statistics to use for <paramref name="task"/>: given, read from the directory, or the identity.</summary>
    public NormalizationStats NormalizationFor(TaskConfig task) =>
        Stats ?? (NormalizationStatsDirectory is { } dir ? NormalizationStatsReader.Read(dir, task) : NormalizationStats.Identity(task));

    /// <summary>Rows per chunk of the network's edge and node passes; null → <see cref="GraphCastPredictor.DefaultChunkRows"/> of the device.</summary>
    public long? ChunkRows { get; init; }

    /// <summary>
    /// Keep the terms of the structural features (edge embeddings and their first-layer terms) between steps: 15 % fewer
    /// multiply-adds per step for about 1 GB (graphcast-small, float32). Default on.
    /// </summary>
    public bool CacheStructuralTerms { get; init; } = true;

    /// <summary><c>$GRAPHCAST_CACHE</c>, else <c>$XDG_CACHE_HOME/graphcast</c>, else <c>~/.cache/graphcast</c>; graphs under <c>graphs/</c>.</summary>
    public static string DefaultGraphCacheDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("GRAPHCAST_CACHE");
            if (string.IsNullOrEmpty(root))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                root = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg, "graphcast");
            }

            return Path.Combine(root, "graphs");
        }
    }
}
