using GraphCast.Model.Forcings;

namespace GraphCast.Model.Tests.Forcings;

/// <summary>Year/day progress and their sin/cos features match the reference's data_utils tests.</summary>
public sealed class ProgressFeaturesTests
{
    // numpy's assert_array_almost_equal(decimal=6), which the reference tests use: |expected − actual| < 1.5e-6.
    private const double NumpySixDecimals = 1.5e-6;

    [Fact]
    public void Year_progress_is_exactly_zero_at_the_epoch_and_after_whole_average_years()
    {
        double[] seconds = [0, ProgressFeatures.AverageSecondsPerYear, ProgressFeatures.AverageSecondsPerYear * 42];

        foreach (double s in seconds)
        {
            Assert.Equal(0f, ProgressFeatures.YearProgress(s));
        }
    }

    [Fact]
    public void Year_progress_is_just_below_one_a_second_before_the_year_ends()
    {
        double[] seconds = [ProgressFeatures.AverageSecondsPerYear - 1, (ProgressFeatures.AverageSecondsPerYear - 1) * 42];

        foreach (double s in seconds)
        {
            float progress = ProgressFeatures.YearProgress(s);
            Assert.InRange(progress, 0.999f, 1f);
            Assert.NotEqual(1f, progress);
        }
    }

    [Fact]
    public void Average_seconds_per_year_is_the_float64_product_of_86400_and_365_24219()
    {
        Assert.Equal(86400 * 365.24219, ProgressFeatures.AverageSecondsPerYear);
        Assert.Equal(31556925.216, ProgressFeatures.AverageSecondsPerYear, 6);
    }

    [Fact]
    public void Day_progress_is_zero_at_greenwich_midnight()
    {
        float[] progress = ProgressFeatures.DayProgress([0, 86400, 42 * 86400], [0.0]);

        Assert.Equal(new float[] { 0f, 0f, 0f }, progress);
    }

    [Fact]
    public void Day_progress_after_123_seconds_at_greenwich_is_0_00142361()
    {
        Assert.Equal(0.00142361, ProgressFeatures.DayProgress(123, 0.0), NumpySixDecimals);
    }

    [Fact]
    public void Day_progress_shifts_by_longitude_as_a_fraction_of_a_turn()
    {
        Assert.Equal(0.5f, ProgressFeatures.DayProgress(0, 180.0));
        Assert.Equal(0.75f, ProgressFeatures.DayProgress(0, -90.0));
        Assert.Equal(0.25f, ProgressFeatures.DayProgress(43200, 270.0));
    }

    [Theory]
    [InlineData(1988, 11, 7, 2, 45, 34)]
    [InlineData(2022, 3, 12, 7, 1, 0)]
    public void Day_progress_lies_in_the_unit_interval_for_every_time_and_longitude(
        int year, int month, int day, int hour, int minute, int second)
    {
        double seconds = ProgressFeatures.SecondsSinceEpoch(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc));
        double[] longitudes = Enumerable.Range(0, 360).Select(x => (double)x).ToArray();

        float[] progress = ProgressFeatures.DayProgress([seconds, seconds + 1], longitudes);

        Assert.Equal(2 * 360, progress.Length);
        Assert.All(progress, p => Assert.InRange(p, 0f, 0.99999994f));
    }

    [Fact]
    public void Featurize_gives_sin_and_cos_of_the_progress_phase()
    {
        var (sin, cos) = ProgressFeatures.Featurize([0f, 0.45f, 0.213f]);

        double[] expectedSin = [0.0, 0.30901699, 0.97309851];
        double[] expectedCos = [1.0, -0.95105652, 0.23038943];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expectedSin[i], sin[i], NumpySixDecimals);
            Assert.Equal(expectedCos[i], cos[i], NumpySixDecimals);
        }
    }

    [Fact]
    public void Featurize_refuses_outputs_of_another_length()
    {
        var ex = Assert.Throws<ArgumentException>(() => ProgressFeatures.Featurize([0f, 0.5f], new float[2], new float[1]));
        Assert.Contains("2 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seconds_since_epoch_round_down_to_whole_seconds()
    {
        Assert.Equal(0, ProgressFeatures.SecondsSinceEpoch(DateTime.UnixEpoch));
        Assert.Equal(1577836800, ProgressFeatures.SecondsSinceEpoch(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(0, ProgressFeatures.SecondsSinceEpoch(DateTime.UnixEpoch.AddMilliseconds(900)));
        Assert.Equal(-1, ProgressFeatures.SecondsSinceEpoch(DateTime.UnixEpoch.AddMilliseconds(-500)));
        Assert.Equal(
            123,
            ProgressFeatures.SecondsSinceEpoch(DateTime.SpecifyKind(DateTime.UnixEpoch.AddSeconds(123), DateTimeKind.Unspecified)));
    }

    [Fact]
    public void A_local_time_is_refused_with_a_message_asking_for_utc()
    {
        var local = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Local);

        var ex = Assert.Throws<ArgumentException>(() => ProgressFeatures.YearProgress(local));
        Assert.Contains("UTC", ex.Message, StringComparison.Ordinal);
    }
}
