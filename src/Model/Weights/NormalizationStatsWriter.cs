using GraphCast.Formats.NetCdf;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;

namespace GraphCast.Model.Weights;

/// <summary>
/// Writes normalisation statistics in the reference's layout (the three files <see cref="NormalizationStatsReader"/>
/// reads): classic netCDF, a <c>level</c> coordinate in hPa, atmospheric variables over it and surface ones as scalars.
/// </summary>
public static class NormalizationStatsWriter
{
    /// <summary>
    /// Writes <paramref name="stats"/>, whose atmospheric variables hold one value per entry of <paramref name="levels"/>
    /// (hPa, in that order), to the three files in <paramref name="directory"/> (created if absent).
    /// </summary>
    public static void Write(string directory, NormalizationStats stats, IReadOnlyList<int> levels)
    {
        var names = stats.Variables.Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var expected = TaskConfig.HasLevels(name) ? levels.Count : 1;
            if (stats[name].Levels != expected)
            {
                throw new ArgumentException(
                    $"Statistics of '{name}' have {stats[name].Levels} values; {(expected == 1 ? "a surface variable has one" : $"the {levels.Count} levels need {levels.Count}")}.");
            }
        }

        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, NormalizationStatsReader.MeanFile), stats, names, levels, s => s.Mean, "mean");
        Write(Path.Combine(directory, NormalizationStatsReader.StddevFile), stats, names, levels, s => s.Stddev, "standard deviation");
        Write(Path.Combine(directory, NormalizationStatsReader.DiffsStddevFile), stats, names, levels, s => s.DiffsStddev, "standard deviation of 6-hour differences");
    }

    private static void Write(
        string path, NormalizationStats stats, List<string> names, IReadOnlyList<int> levels, Func<VariableNormalization, float[]> select, string what)
    {
        var writer = new NetCdfClassicWriter()
            .AddAttribute("description", $"Normalisation statistics: {what} per variable and pressure level.")
            .AddAttribute("source", stats.Source)
            .AddDimension(NormalizationStatsReader.LevelDimension, levels.Count)
            .AddVariable(NormalizationStatsReader.LevelDimension, [NormalizationStatsReader.LevelDimension], levels.ToArray(),
                [NetCdfAttribute.Text("units", "hPa"), NetCdfAttribute.Text("long_name", "pressure_level")]);
        foreach (var name in names)
        {
            writer.AddVariable(
                name, TaskConfig.HasLevels(name) ? [NormalizationStatsReader.LevelDimension] : [], select(stats[name]),
                [NetCdfAttribute.Text("units", Variables.UnitsOf(name))]);
        }

        writer.Write(path);
    }
}
