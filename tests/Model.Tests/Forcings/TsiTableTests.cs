using GraphCast.Model.Forcings;

namespace GraphCast.Model.Tests.Forcings;

/// <summary>TSI tables and their interpolation behave as the reference's get_tsi tests expect.</summary>
public sealed class TsiTableTests
{
    private static DateTime Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Reference_tsi_is_1361_at_mid_2020()
    {
        Assert.Equal(1361.0, TsiTable.Reference.At(Utc(2020, 7, 2)));
    }

    [Fact]
    public void Era5_tsi_at_mid_2020_is_the_scaled_2020_table_value()
    {
        double tsi = TsiTable.Era5.At(Utc(2020, 7, 2));

        Assert.Equal(1360.9440, tsi, 4);
        Assert.Equal(0.9965 * 1365.7240, tsi);
    }

    [Fact]
    public void Era5_table_spans_1951_5_to_2034_5_and_repeats_the_1996_to_2008_cycle()
    {
        var table = TsiTable.Era5;

        Assert.Equal(84, table.Years.Count);
        Assert.Equal(1951.5, table.Years[0]);
        Assert.Equal(2034.5, table.Years[^1]);
        Assert.Equal(0.9965 * 1365.7765, table.Values[0]);
        for (int year = 1996; year <= 2008; year++)
        {
            double first = table.At(year + 0.5);
            Assert.Equal(first, table.At(year + 13.5));
            Assert.Equal(first, table.At(year + 26.5));
        }

        Assert.Equal(0.9965 * 1365.6918, table.At(2034.5));
    }

    [Theory]
    [InlineData(2020, 1, 1, 0, 1000.0)]
    [InlineData(2020, 7, 2, 0, 1000.0)]
    [InlineData(2021, 1, 1, 0, 1150.0)]
    [InlineData(2021, 7, 2, 12, 1300.0)]
    [InlineData(2022, 1, 1, 0, 1250.0)]
    [InlineData(2022, 7, 2, 12, 1200.0)]
    [InlineData(2023, 1, 1, 0, 1200.0)]
    public void Custom_table_interpolates_linearly_and_clamps_at_both_ends(int year, int month, int day, int hour, double expected)
    {
        var table = new TsiTable([2020.5, 2021.5, 2022.5], [1000.0, 1300.0, 1200.0]);

        Assert.Equal(expected, table.At(Utc(year, month, day, hour)));
    }

    [Fact]
    public void Fractional_year_counts_days_of_the_year_including_leap_days()
    {
        Assert.Equal(2020.5, TsiTable.FractionalYear(Utc(2020, 7, 2)));
        Assert.Equal(2021.5, TsiTable.FractionalYear(Utc(2021, 7, 2, 12)));
        Assert.Equal(2021.0 + (0.25 / 365), TsiTable.FractionalYear(Utc(2021, 1, 1, 6)));
    }

    [Fact]
    public void A_table_whose_years_do_not_increase_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TsiTable([2021.5, 2020.5], [1.0, 2.0]));
        Assert.Contains("increase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_with_more_values_than_years_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new TsiTable([2020.5], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => new TsiTable([], []));
    }
}
