using GraphCast.Formats.NetCdf;

namespace GraphCast.Formats.Tests.NetCdf;

/// <summary>CF time units ("&lt;unit&gt; since &lt;time&gt;") decode to UTC DateTimes exactly, and unsupported calendars or units fail clearly.</summary>
public sealed class CfTimeTests
{
    private static DateTime Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);

    [Fact]
    public void ECMWF_hours_since_1900_decode_to_the_valid_times()
    {
        // grib_to_netcdf's time axis of the IFS file: 2024-06-03 00 UTC and 6-hourly after.
        var times = CfTime.Decode([1090656L, 1090662L], "hours since 1900-01-01 00:00:00.0");
        Assert.Equal([Utc(2024, 6, 3), Utc(2024, 6, 3, 6)], times);
        Assert.All(times, t => Assert.Equal(DateTimeKind.Utc, t.Kind));
    }

    [Theory]
    [InlineData("days since 2000-01-01", 1.5, "2000-01-02T12:00:00")]
    [InlineData("days since 2000-1-1 0:0:0", -1, "1999-12-31T00:00:00")]
    [InlineData("seconds since 1970-01-01T00:00:00Z", 86400.25, "1970-01-02T00:00:00.25")]
    [InlineData("minutes since 2020-02-28 23:00", 120, "2020-02-29T01:00:00")]
    [InlineData("hours since 2000-01-01 06:00:00 +06:00", 0, "2000-01-01T00:00:00")]
    [InlineData("hours since 2000-01-01T12:00:00 UTC", 0.5, "2000-01-01T12:30:00")]
    [InlineData("milliseconds since 2001-01-01 00:00:00.5", 500, "2001-01-01T00:00:01")]
    [InlineData("microseconds since 2001-01-01", 1, "2001-01-01T00:00:00.000001")]
    public void Units_and_reference_times_of_the_CF_forms_decode(string units, double value, string expected)
    {
        var decoded = CfTime.Decode([value], units, "proleptic_gregorian");
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), decoded[0]);
    }

    [Fact]
    public void Encode_inverts_decode()
    {
        const string Units = "hours since 1900-01-01 00:00:00";
        DateTime[] times = [Utc(2017, 1, 1), Utc(2017, 1, 1, 12), Utc(2024, 6, 4, 18, 30)];
        var values = CfTime.Encode(times, Units);
        Assert.Equal([1025616.0, 1025628.0, 1090698.5], values);  // as in the ERA5 file's time axis
        Assert.Equal(times, CfTime.Decode(values, Units));
    }

    [Theory]
    [InlineData("hours since 2000-01-01", "noleap", "noleap")]
    [InlineData("hours since 2000-01-01", "360_day", "360_day")]
    [InlineData("days since 1000-01-01", "standard", "Julian")]
    public void Calendars_other_than_the_Gregorian_ones_are_refused_with_their_name(string units, string calendar, string named)
    {
        var e = Assert.Throws<NotSupportedException>(() => CfTime.Decode([0.0], units, calendar));
        Assert.Contains(named, e.Message);
    }

    [Theory]
    [InlineData("months since 2000-01-01", "months")]
    [InlineData("hours after 2000-01-01", "<unit> since <time>")]
    [InlineData("hours since yesterday", "yesterday")]
    [InlineData("hours since 2000-13-01", "2000-13-01")]
    public void Malformed_units_are_refused_naming_the_part_at_fault(string units, string named)
    {
        var e = Assert.Throws<FormatException>(() => CfTime.Decode([0.0], units));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void A_missing_time_value_is_an_error_not_a_date() =>
        Assert.Contains("missing", Assert.Throws<ArgumentException>(() => CfTime.Decode([0.0, double.NaN], "days since 2000-01-01")).Message);
}
