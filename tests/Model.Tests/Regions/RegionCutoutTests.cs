using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Geometry;
using GraphCast.Model.Regions;

namespace GraphCast.Model.Tests.Regions;

/// <summary>A cut-out is the parent's slice, bit for bit, across the prime meridian and the date line.</summary>
public sealed class RegionCutoutTests
{
    [Theory]
    [InlineData("europe:34:70:-10:30")]
    [InlineData("pacific:-10:10:170:-170")]
    [InlineData("south:-90:-60:0:358")]
    public void A_cutout_equals_the_parents_slice_bit_for_bit(string text)
    {
        var parentSpec = GraphCastGraphSpec.RegularGrid(2.0, 0, 0.6, null);
        var lat = parentSpec.GridLatitudes;
        var lon = parentSpec.GridLongitudes;
        var random = new Random(3);
        var parent = new GridFields(lat, lon)
            .Set("temperature", Enumerable.Range(0, 3 * lat.Length * lon.Length).Select(_ => (float)random.NextDouble()).ToArray())
            .Set("2m_temperature", Enumerable.Range(0, lat.Length * lon.Length).Select(_ => random.NextSingle() * 300f).ToArray());

        var region = RegionGrid.Of(RegionSpec.Parse(text, 2.0, TimeSpan.FromHours(6), RegionModelSource.None));
        var cutout = new RegionCutout(lat, lon, region).Extract(parent);

        var nLat = region.Latitudes.Length;
        var nLon = region.Longitudes.Length;
        foreach (var (name, levels) in new[] { ("temperature", 3), ("2m_temperature", 1) })
        {
            var values = cutout[name];
            Assert.Equal(levels * nLat * nLon, values.Length);
            for (var level = 0; level < levels; level++)
            {
                for (var i = 0; i < nLat; i++)
                {
                    // The parent's row and column of each region point, found by coordinate (parent: −90..90, 0..358).
                    var row = (int)Math.Round((region.Latitudes[i] + 90) / 2);
                    for (var j = 0; j < nLon; j++)
                    {
                        var column = (int)Math.Round((((region.Longitudes[j] % 360) + 360) % 360) / 2);
                        var expected = parent[name][(level * lat.Length * lon.Length) + (row * lon.Length) + column];
                        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(values[(level * nLat * nLon) + (i * nLon) + j]));
                    }
                }
            }
        }

        Assert.Equal(region.Float32Latitudes(), cutout.Latitudes);
        Assert.Equal(region.Float32Longitudes(), cutout.Longitudes);
    }

    [Fact]
    public void A_region_off_the_parents_grid_cannot_be_cut_out()
    {
        var parentSpec = GraphCastGraphSpec.RegularGrid(2.0, 0, 0.6, null);
        var region = RegionGrid.Of(RegionSpec.Parse("odd:35:71:-9:31:1", 1.0, TimeSpan.FromHours(6), RegionModelSource.None));
        var error = Assert.Throws<ArgumentException>(() => new RegionCutout(parentSpec.GridLatitudes, parentSpec.GridLongitudes, region));
        Assert.Equal("Region 'odd': latitude 35° is not a point of the parent's grid; a cut-out needs its edges on the parent's grid and its resolution.", error.Message);
    }
}
