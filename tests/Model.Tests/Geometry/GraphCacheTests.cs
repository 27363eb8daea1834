using GraphCast.Model.Geometry;

namespace GraphCast.Model.Tests.Geometry;

/// <summary>The graph cache round-trips exactly and rejects caches for other inputs or damaged files.</summary>
public sealed class GraphCacheTests
{
    private static readonly GraphCastGraphSpec Spec = GraphCastGraphSpec.RegularGrid(5.0, 3, 0.6, 0.6180338738074472);
    private static readonly GraphCastGraphs Graphs = GraphCastGraphs.Build(Spec);

    [Fact]
    public void Written_graphs_read_back_identical()
    {
        var read = GraphCache.Read(new MemoryStream(Write(Graphs)), Spec);
        AssertSameGraphs(Graphs, read);
    }

    [Fact]
    public void A_cache_for_other_inputs_is_rejected_naming_both_specs()
    {
        var other = GraphCastGraphSpec.RegularGrid(5.0, 3, 0.6, null);
        var error = Assert.Throws<InvalidDataException>(() => GraphCache.Read(new MemoryStream(Write(Graphs)), other, "graphs.bin"));
        Assert.Contains("graphs.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("mesh2grid factor none", error.Message, StringComparison.Ordinal);
        Assert.Contains("delete it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_cache_is_rejected()
    {
        var bytes = Write(Graphs);
        var error = Assert.Throws<InvalidDataException>(() => GraphCache.Read(new MemoryStream(bytes[..(bytes.Length / 2)]), Spec));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_cache_fails_its_checksum()
    {
        var bytes = Write(Graphs);
        bytes[bytes.Length - 100] ^= 0x10;
        var error = Assert.Throws<InvalidDataException>(() => GraphCache.Read(new MemoryStream(bytes), Spec));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_of_another_format_version_is_rejected()
    {
        var bytes = Write(Graphs);
        bytes[8] = GraphCache.FormatVersion + 1;
        var error = Assert.Throws<InvalidDataException>(() => GraphCache.Read(new MemoryStream(bytes), Spec));
        Assert.Contains("format version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_cache_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => GraphCache.Read(new MemoryStream("not a graph cache"u8.ToArray()), Spec));
    }

    [Fact]
    public void Load_or_build_writes_the_cache_once_and_reads_it_afterwards()
    {
        var directory = Directory.CreateTempSubdirectory("graphcast-geometry-");
        try
        {
            var path = Path.Combine(directory.FullName, "nested", "graphs.bin");
            var built = GraphCache.LoadOrBuild(path, Spec);
            Assert.True(File.Exists(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));

            var loaded = GraphCache.LoadOrBuild(path, Spec);
            AssertSameGraphs(built, loaded);
            AssertSameGraphs(Graphs, loaded);

            var other = GraphCastGraphSpec.RegularGrid(5.0, 2, 0.6, null);
            Assert.Throws<InvalidDataException>(() => GraphCache.LoadOrBuild(path, other));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static byte[] Write(GraphCastGraphs graphs)
    {
        using var stream = new MemoryStream();
        GraphCache.Write(graphs, stream);
        return stream.ToArray();
    }

    private static void AssertSameGraphs(GraphCastGraphs expected, GraphCastGraphs actual)
    {
        Assert.Equal(expected.Spec, actual.Spec);
        Assert.Equal(expected.MeshNodeCount, actual.MeshNodeCount);
        Assert.Equal(expected.GridNodeFeatures, actual.GridNodeFeatures);
        Assert.Equal(expected.MeshNodeFeatures, actual.MeshNodeFeatures);
        foreach (var (e, a) in new[]
        {
            (expected.MeshEdges, actual.MeshEdges),
            (expected.Grid2MeshEdges, actual.Grid2MeshEdges),
            (expected.Mesh2GridEdges, actual.Mesh2GridEdges),
        })
        {
            Assert.Equal(e.Senders, a.Senders);
            Assert.Equal(e.Receivers, a.Receivers);
        }

        foreach (var (e, a) in new[]
        {
            (expected.MeshEdgeFeatures, actual.MeshEdgeFeatures),
            (expected.Grid2MeshEdgeFeatures, actual.Grid2MeshEdgeFeatures),
            (expected.Mesh2GridEdgeFeatures, actual.Mesh2GridEdgeFeatures),
        })
        {
            Assert.Equal(e.NormalizationFactor, a.NormalizationFactor);
            Assert.Equal(e.Values, a.Values);
        }
    }
}
