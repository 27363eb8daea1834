using GraphCast.Model.Forcings;

namespace GraphCast.Model.Tests.Forcings;

/// <summary>The forcings builder produces GraphCast's forcing variables by name, and keeps ones a dataset already has.</summary>
public sealed class ForcingsBuilderTests
{
    private static readonly DateTime[] Times =
    [
        new(2020, 6, 21, 6, 0, 0, DateTimeKind.Utc),
        new(2020, 6, 21, 12, 0, 0, DateTimeKind.Utc),
    ];

    private static readonly double[] Latitudes = [-45.0, 0.0, 45.0];
    private static readonly double[] Longitudes = [0.0, 90.0, 180.0, 270.0];

    [Fact]
    public void Builds_the_five_graphcast_forcings_with_reference_dims_and_shapes()
    {
        var forcings = new ForcingsBuilder().Build(Times, Latitudes, Longitudes);

        Assert.Equal(
            ["day_progress_cos", "day_progress_sin", "toa_incident_solar_radiation", "year_progress_cos", "year_progress_sin"],
            forcings.Keys.Order(StringComparer.Ordinal));
        AssertVariable(forcings["toa_incident_solar_radiation"], ["time", "lat", "lon"], [2, 3, 4]);
        AssertVariable(forcings["year_progress_sin"], ["time"], [2]);
        AssertVariable(forcings["year_progress_cos"], ["time"], [2]);
        AssertVariable(forcings["day_progress_sin"], ["time", "lon"], [2, 4]);
        AssertVariable(forcings["day_progress_cos"], ["time", "lon"], [2, 4]);
        Assert.Equal(ForcingsBuilder.ForcingVariableNames.Order(StringComparer.Ordinal), forcings.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Forcing_values_are_the_progress_features_and_the_solar_radiation_of_each_time()
    {
        var radiation = new SolarRadiation(precision: SolarRadiationPrecision.Float32);

        var forcings = new ForcingsBuilder(radiation).Build(Times, Latitudes, Longitudes);

        Assert.Equal(radiation.Compute(Times, Latitudes, Longitudes), forcings[ForcingsBuilder.ToaIncidentSolarRadiation].Data);
        for (int t = 0; t < Times.Length; t++)
        {
            var (yearSin, yearCos) = ProgressFeatures.Featurize([ProgressFeatures.YearProgress(Times[t])]);
            Assert.Equal(yearSin[0], forcings[ForcingsBuilder.YearProgressSin].Data[t]);
            Assert.Equal(yearCos[0], forcings[ForcingsBuilder.YearProgressCos].Data[t]);
            double seconds = ProgressFeatures.SecondsSinceEpoch(Times[t]);
            for (int x = 0; x < Longitudes.Length; x++)
            {
                var (daySin, dayCos) = ProgressFeatures.Featurize([ProgressFeatures.DayProgress(seconds, Longitudes[x])]);
                Assert.Equal(daySin[0], forcings[ForcingsBuilder.DayProgressSin].Data[(t * Longitudes.Length) + x]);
                Assert.Equal(dayCos[0], forcings[ForcingsBuilder.DayProgressCos].Data[(t * Longitudes.Length) + x]);
            }
        }

        // 06:00 UTC at Greenwich is a quarter of the day: sin = 1, cos ≈ 0.
        Assert.Equal(1f, forcings[ForcingsBuilder.DayProgressSin].Data[0], 6);
        Assert.Equal(0f, forcings[ForcingsBuilder.DayProgressCos].Data[0], 6);
    }

    [Fact]
    public void A_dataset_that_already_has_tisr_keeps_its_own()
    {
        var own = new ForcingVariable(
            ForcingsBuilder.ToaIncidentSolarRadiation, ["time", "lat", "lon"], [2, 3, 4], Enumerable.Repeat(-1f, 24).ToArray());
        var existing = new Dictionary<string, ForcingVariable> { [own.Name] = own };

        var forcings = new ForcingsBuilder().Build(Times, Latitudes, Longitudes, existing);

        Assert.Same(own, forcings[ForcingsBuilder.ToaIncidentSolarRadiation]);
        Assert.All(own.Data, v => Assert.Equal(-1f, v));
        Assert.Equal(5, forcings.Count);
    }

    [Fact]
    public void A_given_tisr_on_another_grid_is_refused_naming_the_variable_and_the_expected_shape()
    {
        var wrong = new ForcingVariable(ForcingsBuilder.ToaIncidentSolarRadiation, ["lat", "lon"], [3, 4], new float[12]);
        var existing = new Dictionary<string, ForcingVariable> { [wrong.Name] = wrong };

        var ex = Assert.Throws<ArgumentException>(() => new ForcingsBuilder().Build(Times, Latitudes, Longitudes, existing));

        Assert.Contains("toa_incident_solar_radiation", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3, 4]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forcing_variable_whose_data_does_not_fill_its_shape_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ForcingVariable("x", ["time"], [3], new float[2]));
        Assert.Contains("needs 3 values", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertVariable(ForcingVariable variable, string[] dims, int[] shape)
    {
        Assert.Equal(dims, variable.Dims);
        Assert.Equal(shape, variable.Shape);
        Assert.Equal(shape.Aggregate(1, (a, b) => a * b), variable.Data.Length);
    }
}
