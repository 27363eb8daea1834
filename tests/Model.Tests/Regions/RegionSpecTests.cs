using GraphCast.Model.Configuration;
using GraphCast.Model.Regions;

namespace GraphCast.Model.Tests.Regions;

/// <summary>Parsing and checking regions: defaults, the date line, and each bad input as one line naming it.</summary>
public sealed class RegionSpecTests
{
    private static readonly TimeSpan SixHours = TimeSpan.FromHours(6);

    [Fact]
    public void The_issue_example_parses_with_its_resolution_step_and_default_boundary()
    {
        var spec = RegionSpec.Parse("europe:35:70:-10:30:0.5:3h", 2.0, SixHours);
        Assert.Equal("europe", spec.Name);
        Assert.Equal((35.0, 70.0, -10.0, 30.0), (spec.Lat0, spec.Lat1, spec.Lon0, spec.Lon1));
        Assert.Equal(0.5, spec.Resolution);
        Assert.Equal(TimeSpan.FromHours(3), spec.Step);
        Assert.Equal(RegionSpec.DefaultBoundary, spec.Boundary);
        Assert.Equal(RegionModelSource.FromSeed(0), spec.Model);
        Assert.Equal((71, 81), (spec.LatitudeCount, spec.LongitudeCount));
        Assert.Equal("europe:35:70:-10:30:0.5:3h:2", spec.ToString());
        Assert.Equal(spec, RegionSpec.Parse(spec.ToString(), 2.0, SixHours));
    }

    [Fact]
    public void Resolution_and_step_default_to_the_parents()
    {
        var spec = RegionSpec.Parse("alps:40:50:6:16", 2.0, SixHours, RegionModelSource.None);
        Assert.Equal(2.0, spec.Resolution);
        Assert.Equal(SixHours, spec.Step);
        Assert.True(spec.IsCutout);
        Assert.Equal("alps:40:50:6:16:2:6h:2", spec.ToString());
    }

    [Fact]
    public void A_date_line_box_equals_the_same_box_shifted_by_360_degrees()
    {
        var across = RegionSpec.Parse("pacific:-10:10:170:-170:1", 2.0, SixHours);
        var east = RegionSpec.Parse("pacific:-10:10:170:190:1", 2.0, SixHours);
        var west = RegionSpec.Parse("pacific:-10:10:-190:-170:1", 2.0, SixHours);
        Assert.Equal(east, across);
        Assert.Equal(east, west);
        Assert.Equal((170.0, 190.0), (west.Lon0, west.Lon1));

        var grid = RegionGrid.Of(west);
        Assert.Equal(RegionGrid.Of(east).Longitudes, grid.Longitudes);
        Assert.Equal(21, grid.Longitudes.Length);
        Assert.Equal(180.0, grid.Longitudes[10]);
        Assert.Equal(190.0, grid.Longitudes[^1]);
    }

    [Fact]
    public void Regional_grid_coordinates_are_exact()
    {
        var grid = RegionGrid.Of(RegionSpec.Parse("fine:40.2:41:-3.1:-2.3:0.1:1h:1", 1.0, SixHours));
        Assert.Equal([40.2, 40.3, 40.4, 40.5, 40.6, 40.7, 40.8, 40.9, 41.0], grid.Latitudes);
        Assert.Equal([-3.1, -3.0, -2.9, -2.8, -2.7, -2.6, -2.5, -2.4, -2.3], grid.Longitudes);
        Assert.Equal(81, grid.NodeCount);

        var europe = RegionGrid.Of(RegionSpec.Parse("europe:35:70:-10:30:0.5:3h", 2.0, SixHours));
        Assert.Equal(35.0, europe.Latitudes[0]);
        Assert.Equal(52.5, europe.Latitudes[35]);
        Assert.Equal(70.0, europe.Latitudes[^1]);
        Assert.Equal(-10.0, europe.Longitudes[0]);
        Assert.Equal(0.0, europe.Longitudes[20]);
        Assert.Equal(30.0, europe.Longitudes[^1]);
    }

    [Fact]
    public void The_boundary_zone_is_the_outer_rows_and_columns()
    {
        var grid = RegionGrid.Of(RegionSpec.Parse("box:0:10:0:10:1:6h:2", 2.0, SixHours));
        Assert.True(grid.IsBoundary(0, 5));
        Assert.True(grid.IsBoundary(1, 5));
        Assert.False(grid.IsBoundary(2, 2));
        Assert.False(grid.IsBoundary(8, 8));
        Assert.True(grid.IsBoundary(9, 5));
        Assert.True(grid.IsBoundary(5, 10));
        var boundary = Enumerable.Range(0, 11).SelectMany(i => Enumerable.Range(0, 11).Where(j => grid.IsBoundary(i, j))).Count();
        Assert.Equal((11 * 11) - (7 * 7), boundary);
    }

    [Theory]
    [InlineData("europe:35:70:-10", "must be NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]]")]
    [InlineData("europe:70:35:-10:30", "LAT0 70 must be south of LAT1 35: give the southern edge first, e.g. europe:35:70:")]
    [InlineData("europe:35:35:-10:30", "LAT0 35 must be south of LAT1 35")]
    [InlineData("polar:60:92:0:40", "latitudes 60..92 must lie within -90..90.")]
    [InlineData("thin:40:44:0:40", "the box is 2 × 20 grid cells of 2°; it needs at least 4 cells each way")]
    [InlineData("wide:0:20:-180:180", "span 360°, as wide as the globe or wider")]
    [InlineData("wide:0:20:-180:190", "span 370°, as wide as the globe or wider")]
    [InlineData("europe:35:70:-10:30:0.3", "RES 0.3° must divide the parent's 2° grid spacing")]
    [InlineData("europe:35:70:-10:30:4", "RES 4° must divide the parent's 2° grid spacing")]
    [InlineData("europe:35.2:70:-10:30:0.5", "LAT0 35.2 is not on the 0.5° grid: use 35 or 35.5.")]
    [InlineData("europe:35:70:-10:30:0.5:4h", "STEP 4h must divide the parent's 6h step")]
    [InlineData("europe:35:70:-10:30:0.5:3x", "STEP '3x' must be a whole number of hours, e.g. 3h.")]
    [InlineData("europe:34:70:-10:30:2:6h:10", "BOUNDARY 10 cells is wider than half the box (18 × 20 cells): use at most 9.")]
    [InlineData("europe:35:70:-10:30:2:6h:-1", "BOUNDARY '-1' must be a whole number of grid cells")]
    [InlineData("europe:north:70:-10:30", "LAT0 'north' is not a number of degrees")]
    [InlineData("eu/rope:35:70:-10:30", "Region name 'eu/rope' must be 1 to 64 letters, digits, '_' or '-'")]
    public void Bad_regions_are_one_line_naming_the_input_and_the_fix(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RegionSpec.Parse(text, 2.0, SixHours));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_cutout_must_be_at_the_parents_resolution()
    {
        var error = Assert.Throws<ArgumentException>(() => RegionSpec.Parse("europe:35:70:-10:30:0.5", 2.0, SixHours, RegionModelSource.None));
        Assert.Equal("Region 'europe': a cut-out (model none) is written at the parent's resolution 2°, not 0.5°: leave RES out, or give the region a model (--region-model europe=seed:N).", error.Message);
    }

    [Fact]
    public void Two_regions_with_one_name_are_refused()
    {
        var a = RegionSpec.Parse("europe:34:70:-10:30", 2.0, SixHours);
        var b = RegionSpec.Parse("Europe:30:60:0:40", 2.0, SixHours);
        var error = Assert.Throws<ArgumentException>(() => RegionSpec.CheckDistinct([a, b]));
        Assert.Equal("Two regions are named 'Europe': give each --region its own name.", error.Message);
        RegionSpec.CheckDistinct([a, RegionSpec.Parse("asia:30:60:60:100", 2.0, SixHours)]);
    }

    [Theory]
    [InlineData("none", "none")]
    [InlineData("seed:7", "seed:7")]
    [InlineData("weights/eu.safetensors", "weights/eu.safetensors")]
    public void Region_model_sources_round_trip(string text, string expected)
    {
        Assert.Equal(expected, RegionModelSource.Parse(text).ToString());
        Assert.Equal(RegionModelSource.Parse(text), RegionModelSource.Parse(expected));
    }

    [Fact]
    public void A_seed_that_is_not_a_number_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => RegionModelSource.Parse("seed:x"));
        Assert.Equal("Region model 'seed:x': the seed must be an integer, e.g. seed:7.", error.Message);
    }
}
