using GraphCast.Testing;
using GraphCast.Formats.NetCdf;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Model.Weights;

namespace GraphCast.Model.Tests.Weights;

/// <summary>
/// The reference's three statistics files, written here in its layout (a 37-level <c>level</c> coordinate, one variable per
/// ERA5 name, surface variables scalar, an unrelated extra variable), load for a task with its levels selected by value.
/// </summary>
public sealed class NormalizationStatsReaderTests : IDisposable
{
    private const string Extra = "sea_surface_temperature";

    private static readonly string[] Files =
        [NormalizationStatsReader.MeanFile, NormalizationStatsReader.StddevFile, NormalizationStatsReader.DiffsStddevFile];

    private static readonly string[] Task37Variables =
        Presets.Task37.InputVariables.Concat(Presets.Task37.TargetVariables).Concat(Presets.Task37.ForcingVariables).Distinct().ToArray();

    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A value that tells file, variable and level apart: file·100000 + variable·1000 + level (hPa; 0 for surface).</summary>
    private static float Value(int file, string variable, int level) =>
        (file + 1) * 100_000 + (Array.IndexOf(Task37Variables, variable) + 1) * 1_000 + level;

    [Fact]
    public void Task13_statistics_are_the_37_level_files_values_at_its_levels()
    {
        WriteReferenceLayout(_dir.Path);

        var stats = NormalizationStatsReader.Read(_dir.Path, Presets.Task13);

        Assert.Equal(_dir.Path, stats.Source);
        Assert.Equal(Task37Variables.Order(StringComparer.Ordinal), stats.Variables.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Extra, stats.Variables);
        var t = stats[Variables.Temperature];
        Assert.Equal(13, t.Levels);
        Assert.Equal(Value(0, Variables.Temperature, 50), t.Mean[0]);
        Assert.Equal(Value(0, Variables.Temperature, 500), t.Mean[7]);
        Assert.Equal(Value(1, Variables.Temperature, 925), t.Stddev[11]);
        Assert.Equal(Value(2, Variables.Temperature, 1000), t.DiffsStddev[12]);
        Assert.Equal(Presets.Task13.PressureLevels.Select(l => Value(1, Variables.SpecificHumidity, l)), stats[Variables.SpecificHumidity].Stddev);
        var t2m = stats[Variables.Temperature2m];
        Assert.Equal([Value(0, Variables.Temperature2m, 0)], t2m.Mean);
        Assert.Equal([Value(1, Variables.Temperature2m, 0)], t2m.Stddev);
        Assert.Equal([Value(2, Variables.Temperature2m, 0)], t2m.DiffsStddev);
        Assert.Equal([Value(0, Variables.YearProgressSin, 0)], stats[Variables.YearProgressSin].Mean);
    }

    [Fact]
    public void Every_variable_the_task_needs_but_the_files_lack_is_named_in_one_error()
    {
        WriteReferenceLayout(_dir.Path, omit: (file, v) => (file == 0 && v == Variables.SpecificHumidity) || (file == 1 && v == Variables.LandSeaMask));

        var e = Assert.Throws<InvalidDataException>(() => NormalizationStatsReader.Read(_dir.Path, Presets.Task13));

        Assert.Contains($"{Variables.SpecificHumidity} ({NormalizationStatsReader.MeanFile})", e.Message);
        Assert.Contains($"{Variables.LandSeaMask} ({NormalizationStatsReader.StddevFile})", e.Message);
    }

    [Fact]
    public void A_missing_pressure_level_is_an_error_naming_the_variable_and_the_level()
    {
        WriteReferenceLayout(_dir.Path, levels: Variables.PressureLevelsEra5_37.Where(l => l != 925).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => NormalizationStatsReader.Read(_dir.Path, Presets.Task13));

        Assert.Contains($"'{Variables.Temperature}'", e.Message);  // the first atmospheric variable of the task
        Assert.Contains("925 hPa", e.Message);
    }

    [Fact]
    public void Differences_stddev_is_required_only_for_targets_that_are_inputs()
    {
        // Forcings and static inputs are never residuals: a diffs file without them still loads, with 1 in their place.
        WriteReferenceLayout(_dir.Path, omit: (file, v) => file == 2 && !Presets.Task13.TargetVariables.Contains(v));
        var stats = NormalizationStatsReader.Read(_dir.Path, Presets.Task13);
        Assert.Equal([1f], stats[Variables.LandSeaMask].DiffsStddev);
        Assert.Equal([Value(2, Variables.MeanSeaLevelPressure, 0)], stats[Variables.MeanSeaLevelPressure].DiffsStddev);

        using var other = new TemporaryDirectory();
        WriteReferenceLayout(other.Path, omit: (file, v) => file == 2 && v == Variables.UWind10m);
        var e = Assert.Throws<InvalidDataException>(() => NormalizationStatsReader.Read(other.Path, Presets.Task13));
        Assert.Contains($"{Variables.UWind10m} ({NormalizationStatsReader.DiffsStddevFile})", e.Message);
    }

    [Fact]
    public void A_directory_without_the_three_files_names_those_missing()
    {
        WriteReferenceLayout(_dir.Path);
        File.Delete(Path.Combine(_dir.Path, NormalizationStatsReader.StddevFile));

        var e = Assert.Throws<FileNotFoundException>(() => NormalizationStatsReader.Read(_dir.Path, Presets.Task13));

        Assert.Contains($"lacks {NormalizationStatsReader.StddevFile};", e.Message);
    }

    [Fact]
    public void A_surface_variable_with_levels_or_an_atmospheric_one_without_is_refused()
    {
        WriteReferenceLayout(_dir.Path, atmosphericAsScalar: Variables.VerticalVelocity);

        var e = Assert.Throws<InvalidDataException>(() => NormalizationStatsReader.Read(_dir.Path, Presets.Task13));

        Assert.Contains($"'{Variables.VerticalVelocity}'", e.Message);
        Assert.Contains("'level'", e.Message);
    }

    [Fact]
    public void Statistics_written_by_the_writer_read_back_exactly_for_the_same_and_for_fewer_levels()
    {
        var task = Presets.Task37;
        var random = new Random(7);
        var stats = new NormalizationStats(
            Task37Variables.ToDictionary(v => v, v =>
            {
                var n = task.LevelsOf(v);
                float[] Positive() => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() + 0.1)).ToArray();
                return new VariableNormalization(Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 1e4f).ToArray(), Positive(), Positive());
            }),
            "random");

        NormalizationStatsWriter.Write(_dir.Path, stats, task.PressureLevels);

        var same = NormalizationStatsReader.Read(_dir.Path, task);
        foreach (var v in Task37Variables)
        {
            Assert.Equal(stats[v].Mean, same[v].Mean);
            Assert.Equal(stats[v].Stddev, same[v].Stddev);
            Assert.Equal(stats[v].DiffsStddev, same[v].DiffsStddev);
        }

        var fewer = NormalizationStatsReader.Read(_dir.Path, Presets.Task13);
        var index = Presets.Task13.PressureLevels.Select(l => task.PressureLevels.ToList().IndexOf(l)).ToArray();
        Assert.Equal(index.Select(i => stats[Variables.Geopotential].Mean[i]), fewer[Variables.Geopotential].Mean);

        using var ds = NetCdfDataset.Open(Path.Combine(_dir.Path, NormalizationStatsReader.MeanFile));
        Assert.Equal(NetCdfFormat.Classic, ds.Format);
        Assert.Equal(["level"], ds[Variables.Temperature].DimensionNames);
        Assert.Equal(0, ds[Variables.Temperature2m].Rank);
        Assert.Equal("hPa", ds["level"].Units);
    }

    [Fact]
    public void The_writer_refuses_statistics_whose_level_count_disagrees()
    {
        var stats = NormalizationStats.Identity(Presets.Task13);
        var e = Assert.Throws<ArgumentException>(() => NormalizationStatsWriter.Write(_dir.Path, stats, Variables.PressureLevelsEra5_37));
        Assert.Contains("37 levels", e.Message);
    }

    /// <summary>The reference's layout: per file a 37-level coordinate, every Task37 variable and one unrelated variable.</summary>
    private static void WriteReferenceLayout(
        string directory, IReadOnlyList<int>? levels = null, Func<int, string, bool>? omit = null, string? atmosphericAsScalar = null)
    {
        levels ??= Variables.PressureLevelsEra5_37;
        for (var file = 0; file < Files.Length; file++)
        {
            var writer = new NetCdfClassicWriter()
                .AddDimension("level", levels.Count)
                .AddVariable("level", ["level"], levels.ToArray(), [NetCdfAttribute.Text("units", "millibar")])
                .AddVariable(Extra, [], new[] { -1f });
            foreach (var v in Task37Variables.Where(v => omit?.Invoke(file, v) != true))
            {
                var f = file;
                var data = TaskConfig.HasLevels(v) && v != atmosphericAsScalar
                    ? levels.Select(l => Value(f, v, l)).ToArray()
                    : [Value(f, v, 0)];
                writer.AddVariable(v, data.Length > 1 ? ["level"] : [], data);
            }

            writer.Write(Path.Combine(directory, Files[file]));
        }
    }
}
