using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GraphCast.Model.Geometry;

/// <summary>
/// A binary file of <see cref="GraphCastGraphs"/>, so that the 0.25° graphs (about a million grid nodes, 5 million
/// edges) are built once per spec and then read back in well under a second. The header carries the format version
/// and the full spec; a cache built for other inputs, a truncated file or a corrupted one is rejected on read.
/// </summary>
/// <remarks>
/// Layout, little-endian: magic "GCGRAPHS", int32 version; spec (int32 num_lat, num_lon, mesh_size, has_factor;
/// float64 radius fraction, factor; float32 lat[num_lat], lon[num_lon]); int32 mesh node and edge counts (mesh,
/// grid2mesh, mesh2grid); float64 the three edge normalisation factors; the arrays (grid and mesh node features, then
/// per edge set senders, receivers, features); and a trailing FNV-1a 64-bit checksum of everything before it.
/// </remarks>
public static class GraphCache
{
    /// <summary>Bumped whenever the layout or the meaning of any stored array changes.</summary>
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("GCGRAPHS");

    /// <summary>Writes <paramref name="graphs"/> to <paramref name="stream"/>.</summary>
    public static void Write(GraphCastGraphs graphs, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        var writer = new ChecksummedWriter(stream);
        writer.Write(Magic);
        writer.WriteInt32(FormatVersion);

        var spec = graphs.Spec;
        writer.WriteInt32(spec.GridLatitudes.Length);
        writer.WriteInt32(spec.GridLongitudes.Length);
        writer.WriteInt32(spec.MeshSize);
        writer.WriteInt32(spec.Mesh2GridEdgeNormalizationFactor.HasValue ? 1 : 0);
        writer.WriteDouble(spec.RadiusQueryFractionEdgeLength);
        writer.WriteDouble(spec.Mesh2GridEdgeNormalizationFactor ?? 0.0);
        writer.Write<float>(spec.GridLatitudes);
        writer.Write<float>(spec.GridLongitudes);

        writer.WriteInt32(graphs.MeshNodeCount);
        writer.WriteInt32(graphs.MeshEdges.Count);
        writer.WriteInt32(graphs.Grid2MeshEdges.Count);
        writer.WriteInt32(graphs.Mesh2GridEdges.Count);
        writer.WriteDouble(graphs.MeshEdgeFeatures.NormalizationFactor);
        writer.WriteDouble(graphs.Grid2MeshEdgeFeatures.NormalizationFactor);
        writer.WriteDouble(graphs.Mesh2GridEdgeFeatures.NormalizationFactor);

        writer.Write<float>(graphs.GridNodeFeatures);
        writer.Write<float>(graphs.MeshNodeFeatures);
        foreach (var (edges, features) in EdgeSets(graphs))
        {
            writer.Write<int>(edges.Senders);
            writer.Write<int>(edges.Receivers);
            writer.Write<float>(features.Values);
        }

        writer.WriteChecksum();
    }

    /// <summary>
    /// Reads graphs written by <see cref="Write"/>, provided they were built for <paramref name="expected"/>.
    /// </summary>
    /// <param name="stream">The cache's bytes.</param>
    /// <param name="expected">The spec the caller needs; a cache for any other spec is rejected.</param>
    /// <param name="source">Names the cache in error messages (e.g. its path).</param>
    /// <exception cref="InvalidDataException">The stream is not a graph cache of this version, was built for other
    /// inputs, is truncated or fails its checksum.</exception>
    public static GraphCastGraphs Read(Stream stream, GraphCastGraphSpec expected, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(expected);
        EnsureLittleEndian();
        var reader = new ChecksummedReader(stream, source);
        var magic = new byte[Magic.Length];
        reader.Read(magic);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"The graph cache {source} is not a GraphCast graph cache (bad magic): delete it or point to another file.");
        }

        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"The graph cache {source} has format version {version}; this build reads version {FormatVersion}. Delete it so it is rebuilt.");
        }

        var latCount = reader.ReadCount("latitude count");
        var lonCount = reader.ReadCount("longitude count");
        var meshSize = reader.ReadInt32();
        var hasFactor = reader.ReadInt32();
        var fraction = reader.ReadDouble();
        var factor = reader.ReadDouble();
        var latitudes = reader.ReadArray<float>(latCount);
        var longitudes = reader.ReadArray<float>(lonCount);
        GraphCastGraphSpec stored;
        try
        {
            stored = new GraphCastGraphSpec(latitudes, longitudes, meshSize, fraction, hasFactor == 1 ? factor : null);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The graph cache {source} holds an invalid spec ({e.Message}): delete it so it is rebuilt.", e);
        }

        if (!stored.Equals(expected))
        {
            throw new InvalidDataException($"The graph cache {source} was built for {stored}, but {expected} was asked for: delete it or use another cache path.");
        }

        var meshNodeCount = reader.ReadCount("mesh node count");
        var meshEdgeCount = reader.ReadCount("mesh edge count");
        var grid2MeshCount = reader.ReadCount("grid2mesh edge count");
        var mesh2GridCount = reader.ReadCount("mesh2grid edge count");
        var meshFactor = reader.ReadDouble();
        var grid2MeshFactor = reader.ReadDouble();
        var mesh2GridFactor = reader.ReadDouble();
        if (meshNodeCount != (10 * (1L << (2 * meshSize))) + 2 || mesh2GridCount != 3L * stored.GridNodeCount)
        {
            throw new InvalidDataException($"The graph cache {source} has inconsistent sizes ({meshNodeCount} mesh nodes, {mesh2GridCount} mesh2grid edges): delete it so it is rebuilt.");
        }

        var gridNodeFeatures = reader.ReadArray<float>(StructuralFeatures.NodeFeatureCount * stored.GridNodeCount);
        var meshNodeFeatures = reader.ReadArray<float>(StructuralFeatures.NodeFeatureCount * meshNodeCount);
        var meshEdges = reader.ReadEdges(meshEdgeCount, meshFactor, out var meshFeatures);
        var grid2Mesh = reader.ReadEdges(grid2MeshCount, grid2MeshFactor, out var grid2MeshFeatures);
        var mesh2Grid = reader.ReadEdges(mesh2GridCount, mesh2GridFactor, out var mesh2GridFeatures);
        reader.VerifyChecksum();

        CheckIndices(meshEdges, meshNodeCount, meshNodeCount, "mesh", source);
        CheckIndices(grid2Mesh, stored.GridNodeCount, meshNodeCount, "grid2mesh", source);
        CheckIndices(mesh2Grid, meshNodeCount, stored.GridNodeCount, "mesh2grid", source);
        return new GraphCastGraphs(
            stored,
            meshNodeCount,
            gridNodeFeatures,
            meshNodeFeatures,
            meshEdges,
            meshFeatures,
            grid2Mesh,
            grid2MeshFeatures,
            mesh2Grid,
            mesh2GridFeatures);
    }

    /// <summary>
    /// Reads the cache at <paramref name="path"/> if it exists, otherwise builds the graphs and writes the cache
    /// there (to a temporary name first, then renamed, so a reader never sees half a file).
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but holds graphs for other inputs or is damaged.</exception>
    public static GraphCastGraphs LoadOrBuild(string path, GraphCastGraphSpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(spec);
        if (File.Exists(path))
        {
            using var existing = OpenRead(path);
            return Read(existing, spec, path);
        }

        var graphs = GraphCastGraphs.Build(spec);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Write(graphs, output);
                output.Flush(flushToDisk: true);
            }

            // Another process may have finished the same cache first; its file is as good as ours.
            if (!File.Exists(path))
            {
                File.Move(temporary, path, overwrite: false);
            }
        }
        catch (IOException) when (File.Exists(path))
        {
        }
        finally
        {
            File.Delete(temporary);
        }

        return graphs;
    }

    /// <summary>Opens a cache file for a sequential read with a large buffer.</summary>
    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);

    private static IEnumerable<(GraphEdges Edges, EdgeFeatures Features)> EdgeSets(GraphCastGraphs graphs)
    {
        yield return (graphs.MeshEdges, graphs.MeshEdgeFeatures);
        yield return (graphs.Grid2MeshEdges, graphs.Grid2MeshEdgeFeatures);
        yield return (graphs.Mesh2GridEdges, graphs.Mesh2GridEdgeFeatures);
    }

    private static void CheckIndices(GraphEdges edges, int senderCount, int receiverCount, string name, string source)
    {
        for (var e = 0; e < edges.Count; e++)
        {
            if ((uint)edges.Senders[e] >= (uint)senderCount || (uint)edges.Receivers[e] >= (uint)receiverCount)
            {
                throw new InvalidDataException($"The graph cache {source} has a {name} edge out of range: delete it so it is rebuilt.");
            }
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The graph cache is stored little-endian and is only read and written on little-endian machines.");
        }
    }

    /// <summary>FNV-1a over 32-bit words: every stored field is a multiple of 4 bytes long.</summary>
    private struct Fnv64
    {
        private const ulong Prime = 0x100000001b3;
        private ulong _hash;

        public Fnv64() => _hash = 0xcbf29ce484222325;

        public readonly ulong Value => _hash;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            var words = MemoryMarshal.Cast<byte, uint>(bytes);
            var hash = _hash;
            foreach (var word in words)
            {
                hash = (hash ^ word) * Prime;
            }

            _hash = hash;
        }
    }

    private sealed class ChecksummedWriter(Stream stream)
    {
        private Fnv64 _checksum = new();

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _checksum.Append(bytes);
            stream.Write(bytes);
        }

        public void Write<T>(T[] values)
            where T : unmanaged => Write(MemoryMarshal.AsBytes(values.AsSpan()));

        public void WriteInt32(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteDouble(double value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteChecksum()
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, _checksum.Value);
            stream.Write(bytes);
        }
    }

    private sealed class ChecksummedReader(Stream stream, string source)
    {
        private Fnv64 _checksum = new();

        public void Read(Span<byte> bytes)
        {
            try
            {
                stream.ReadExactly(bytes);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"The graph cache {source} is truncated: delete it so it is rebuilt.", e);
            }

            _checksum.Append(bytes);
        }

        public int ReadInt32()
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes);
            return BinaryPrimitives.ReadInt32LittleEndian(bytes);
        }

        public double ReadDouble()
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes);
            return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
        }

        public int ReadCount(string what)
        {
            var count = ReadInt32();
            if (count < 0 || count > Array.MaxLength / 4)
            {
                throw new InvalidDataException($"The graph cache {source} has an invalid {what} ({count}): delete it so it is rebuilt.");
            }

            return count;
        }

        public T[] ReadArray<T>(int count)
            where T : unmanaged
        {
            var values = new T[count];
            Read(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }

        public GraphEdges ReadEdges(int count, double factor, out EdgeFeatures features)
        {
            var senders = ReadArray<int>(count);
            var receivers = ReadArray<int>(count);
            features = new EdgeFeatures(ReadArray<float>(StructuralFeatures.EdgeFeatureCount * count), factor);
            return new GraphEdges(senders, receivers);
        }

        public void VerifyChecksum()
        {
            var expected = _checksum.Value;
            Span<byte> bytes = stackalloc byte[8];
            try
            {
                stream.ReadExactly(bytes);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"The graph cache {source} is truncated: delete it so it is rebuilt.", e);
            }

            if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != expected)
            {
                throw new InvalidDataException($"The graph cache {source} fails its checksum (the file is damaged): delete it so it is rebuilt.");
            }
        }
    }
}
