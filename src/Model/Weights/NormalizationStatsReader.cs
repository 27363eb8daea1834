using GraphCast.Formats.NetCdf;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;

namespace GraphCast.Model.Weights;

/// <summary>
/// Loads the reference's normalisation statistics — <c>mean_by_level.nc</c>, <c>stddev_by_level.nc</c> and
/// <c>diffs_stddev_by_level.nc</c> from one directory — for a task: one variable per ERA5 long name, atmospheric ones over a
/// <c>level</c> dimension whose coordinate holds pressure in hPa, surface ones scalar. The task's levels are selected by
/// value; variables the task does not use are ignored.
/// </summary>
public static class NormalizationStatsReader
{
    public const string MeanFile = "mean_by_level.nc";
    public const string StddevFile = "stddev_by_level.nc";
    public const string DiffsStddevFile = "diffs_stddev_by_level.nc";

    /// <summary>The dimension (and coordinate variable) of pressure levels, in hPa.</summary>
    public const string LevelDimension = "level";

    /// <summary>
    /// Reads the statistics of every input, target and forcing variable of <paramref name="task"/>, at its pressure levels.
    /// The standard deviation of differences is required only for targets that are also inputs — the only variables whose
    /// residual it scales (graphcast.md §1.7); elsewhere a missing or non-positive one is set to 1, which nothing reads.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory lacks one of the three files.</exception>
    /// <exception cref="InvalidDataException">Variables the task needs are missing (all are listed), a level is missing, or a variable has the wrong shape.</exception>
    public static NormalizationStats Read(string directory, TaskConfig task)
    {
        var paths = new[] { MeanFile, StddevFile, DiffsStddevFile }.Select(f => Path.Combine(directory, f)).ToArray();
        var absent = paths.Where(p => !File.Exists(p)).ToList();
        if (absent.Count > 0)
        {
            throw new FileNotFoundException(
                $"The normalisation statistics directory '{directory}' lacks {string.Join(", ", absent.Select(Path.GetFileName))}; " +
                $"it needs the reference's {MeanFile}, {StddevFile} and {DiffsStddevFile}.",
                absent[0]);
        }

        var needed = task.InputVariables.Concat(task.TargetVariables).Concat(task.ForcingVariables).Distinct().ToList();
        var residual = task.TargetVariables.Where(task.InputVariables.Contains).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();

        Dictionary<string, float[]> ReadFile(string path, Func<string, bool> required)
        {
            using var dataset = NetCdfDataset.Open(path);
            var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var v in needed)
            {
                if (dataset.TryGetVariable(v, out var variable))
                {
                    result[v] = Select(dataset, variable, task);
                }
                else if (required(v))
                {
                    missing.Add($"{v} ({Path.GetFileName(path)})");
                }
            }

            return result;
        }

        var mean = ReadFile(paths[0], _ => true);
        var stddev = ReadFile(paths[1], _ => true);
        var diffs = ReadFile(paths[2], residual.Contains);
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"The normalisation statistics in '{directory}' lack variables the task needs: {string.Join(", ", missing)}. " +
                "Use statistics that cover every input, target and forcing variable of the task.");
        }

        var stats = needed.ToDictionary(v => v, v =>
        {
            var d = diffs.GetValueOrDefault(v);
            if (!residual.Contains(v) && (d is null || d.Any(x => !(x > 0) || !float.IsFinite(x))))
            {
                d = Enumerable.Repeat(1f, mean[v].Length).ToArray();
            }

            return new VariableNormalization(mean[v], stddev[v], d!);
        });

        var result = new NormalizationStats(stats, directory);
        result.Validate(task);
        return result;
    }

    /// <summary>The variable's values at the task's levels (atmospheric), or its single value (surface).</summary>
    private static float[] Select(NetCdfDataset dataset, NetCdfVariable variable, TaskConfig task)
    {
        var file = Path.GetFileName(dataset.Path);
        var levelAxis = variable.DimensionNames.ToList().IndexOf(LevelDimension);
        var others = variable.Dimensions.Where((d, i) => i != levelAxis && d.Length != 1).ToList();
        if (others.Count > 0)
        {
            throw new InvalidDataException(
                $"'{variable.Name}' in {file} has dimensions ({string.Join(", ", variable.DimensionNames)}); statistics are per '{LevelDimension}' only.");
        }

        // Every dimension but the level one has length 1, so the flat index is the level index.
        var values = variable.ReadFloat();
        if (!TaskConfig.HasLevels(variable.Name))
        {
            return values.Length == 1 ? values
                : throw new InvalidDataException($"'{variable.Name}' in {file} has {values.Length} values; a surface variable's statistics are one value.");
        }

        if (levelAxis < 0)
        {
            throw new InvalidDataException(
                $"'{variable.Name}' in {file} has no '{LevelDimension}' dimension; an atmospheric variable's statistics are per pressure level.");
        }

        if (!dataset.TryGetVariable(LevelDimension, out var levelVariable) || levelVariable.Rank != 1)
        {
            throw new InvalidDataException($"{file} has no '{LevelDimension}' coordinate variable giving the pressure (hPa) of each level.");
        }

        var levels = levelVariable.ReadDouble();
        return task.PressureLevels.Select(level =>
        {
            var index = Array.FindIndex(levels, l => Math.Abs(l - level) < 1e-6);
            return index >= 0 ? values[index]
                : throw new InvalidDataException(
                    $"'{variable.Name}' in {file} has no statistics at {level} hPa (its levels: {string.Join(", ", levels)}). " +
                    "Use statistics computed on every pressure level of the task.");
        }).ToArray();
    }
}
