using GraphCast.Testing;
using GraphCast.Formats.NetCdf;

namespace GraphCast.Formats.Tests.NetCdf;

/// <summary>The netCDF-4 (HDF5) writer: its checksum is Jenkins' lookup3, and what it writes reads back through the project's netCDF-4 reader.</summary>
public sealed class NetCdf4WriterTests
{
    [Theory]
    [InlineData("", 0u, 0xdeadbeefu)]
    [InlineData("Four score and seven years ago", 0u, 0x17770551u)]
    [InlineData("Four score and seven years ago", 1u, 0xcd628161u)]
    public void Lookup3_matches_the_reference_driver_values(string text, uint initial, uint expected) =>
        Assert.Equal(expected, Lookup3.Hash(System.Text.Encoding.ASCII.GetBytes(text), initial));

    [Fact]
    public async Task A_written_file_reads_back_with_its_dimensions_attributes_and_values()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("written.nc");
        var writer = new NetCdf4Writer()
            .AddDimension("x", 3)
            .AddDimension("y", 2)
            .AddAttribute(NetCdfAttribute.Text("title", "a title longer than sixteen bytes, with ünïcode"))
            .AddVariable("x", ["x"], new[] { 1.5, 2.5, 3.5 }, [NetCdfAttribute.Text("units", "m")])
            .AddVariable("y", ["y"], new[] { 10, 20 })
            .AddVariable("field", ["y", "x"], new[] { 1f, 2f, 3f, 4f, 5f, float.NaN }, [NetCdfAttribute.Of("scale", new[] { 2, 3 })])
            .AddVariable("scalar", [], new[] { 42L });
        await writer.WriteAsync(path);

        using var ds = NetCdfDataset.Open(path);
        Assert.Equal(NetCdfFormat.NetCdf4, ds.Format);
        Assert.Equal(["x:3", "y:2"], ds.Dimensions.Values.Select(d => $"{d.Name}:{d.Length}"));
        Assert.Equal("a title longer than sixteen bytes, with ünïcode", ds.Attributes["title"].GetText());
        Assert.Equal([1.5, 2.5, 3.5], ds["x"].ReadDouble());
        Assert.Equal("m", ds["x"].Units);
        Assert.Equal(["y", "x"], ds["field"].DimensionNames);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, float.NaN], ds["field"].ReadFloat());
        Assert.Equal([2.0, 3.0], ds["field"].Attributes["scale"].GetDoubles());
        Assert.Equal([42.0], ds["scalar"].ReadDouble());
        Assert.Empty(ds["scalar"].Dimensions);
    }

    [Fact]
    public async Task A_dimension_without_its_coordinate_variable_is_refused()
    {
        var writer = new NetCdf4Writer().AddDimension("x", 2).AddVariable("v", ["x"], new[] { 1f, 2f });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new MemoryStream()));
        Assert.Contains("Dimension 'x' needs a coordinate variable 'x(x)'", e.Message, StringComparison.Ordinal);
    }
}
