using System.Buffers.Binary;
using GraphCast.Formats.Npy;

namespace GraphCast.Formats.Tests.Npy;

/// <summary>The .npz codec reads archives as numpy writes them (stored or deflated, zip64 local headers) and writes both kinds in key order.</summary>
public sealed class NpzArchiveTests
{
    private static readonly string[] Keys = ["z", "params:grid2mesh_gnn/~_networks_builder/encoder_edges_grid2mesh_mlp/~/linear_0:w", "a", "description", "m"];

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 8)]
    public void Written_archive_reads_back_equal_in_key_order_with_the_expected_zip_method(bool compressed, int zipMethod)
    {
        var arrays = SampleArrays();
        using var stream = new MemoryStream();
        NpzArchive.Write(stream, arrays, compressed);

        // The first local header's compression method: 0 stored (np.savez), 8 deflated (np.savez_compressed).
        Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(stream.GetBuffer()));
        Assert.Equal(zipMethod, BinaryPrimitives.ReadUInt16LittleEndian(stream.GetBuffer().AsSpan(8)));

        stream.Position = 0;
        var read = NpzArchive.Read(stream, "sample.npz");

        Assert.Equal(Keys, read.Keys);
        foreach ((string key, var array) in arrays)
        {
            Assert.Equal(array, read[key]);
        }
    }

    [Fact]
    public void Deflated_archive_of_zeros_is_smaller_than_the_stored_one()
    {
        var zeros = new KeyValuePair<string, NpyArray>[] { new("w", NpyArray.FromFloats(new float[65_536], [256, 256])) };
        using var stored = new MemoryStream();
        using var deflated = new MemoryStream();

        NpzArchive.Write(stored, zeros, compressed: false);
        NpzArchive.Write(deflated, zeros, compressed: true);

        Assert.True(stored.Length > 65_536 * 4, $"stored archive is {stored.Length} bytes");
        Assert.True(deflated.Length < 65_536, $"deflated archive is {deflated.Length} bytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Archive_laid_out_as_numpy_writes_it_with_zip64_local_headers_is_read(bool deflate)
    {
        var w = NpyArray.FromFloats([0f, 1f, 2f, 3f, 4f, 5f], [2, 3]);
        var level = NpyArray.FromScalar(37L);
        byte[] zip = NumpyZipFixture.Write(
            [("params:m/~/linear_0:w.npy", NpyBytes(w)), ("task_config:pressure_levels:0.npy", NpyBytes(level))],
            deflate);

        var read = NpzArchive.Read(new MemoryStream(zip), "numpy.npz");

        Assert.Equal(["params:m/~/linear_0:w", "task_config:pressure_levels:0"], read.Keys);
        Assert.Equal(w, read["params:m/~/linear_0:w"]);
        Assert.Equal(37L, read["task_config:pressure_levels:0"].ToScalarLong());
    }

    [Fact]
    public void Archives_stream_through_forward_only_streams_both_ways()
    {
        var arrays = SampleArrays();
        using var buffer = new MemoryStream();
        NpzArchive.Write(new NonSeekableStream(buffer), arrays, compressed: true);

        buffer.Position = 0;
        var read = NpzArchive.Read(new NonSeekableStream(buffer));

        Assert.Equal(Keys, read.Keys);
        Assert.Equal(arrays[1].Value, read[Keys[1]]);
    }

    [Fact]
    public void Files_on_disk_round_trip()
    {
        string directory = Directory.CreateTempSubdirectory("npz-test-").FullName;
        try
        {
            string path = Path.Combine(directory, "ckpt.npz");
            NpzArchive.Write(path, SampleArrays());

            var read = NpzArchive.Read(path);

            Assert.Equal(Keys, read.Keys);
            Assert.Equal("GraphCast test", read["description"].ToScalarString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_failed_write_leaves_the_existing_file_untouched()
    {
        string directory = Directory.CreateTempSubdirectory("npz-test-").FullName;
        try
        {
            string path = Path.Combine(directory, "ckpt.npz");
            NpzArchive.Write(path, SampleArrays());
            byte[] original = File.ReadAllBytes(path);
            KeyValuePair<string, NpyArray>[] bad =
            [
                new("ok", NpyArray.FromScalar(1L)),
                new("params:m:w", new NpyArray(NpyDtype.BFloat16, [1], [0x80, 0x3F])),
            ];

            var error = Assert.Throws<ArgumentException>(() => NpzArchive.Write(path, bad));

            Assert.Contains("Array 'params:m:w': bfloat16 has no .npy dtype", error.Message, StringComparison.Ordinal);
            Assert.Equal(original, File.ReadAllBytes(path));
            Assert.Equal([path], Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Equal_contents_give_identical_archive_bytes()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();

        NpzArchive.Write(first, SampleArrays());
        NpzArchive.Write(second, SampleArrays());

        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public void A_bad_entry_is_reported_with_the_archive_and_entry_names()
    {
        byte[] fortran = NpyFormatTests.NumpyV1("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", padding: 4, new byte[4]);
        byte[] zip = NumpyZipFixture.Write([("params:m:w.npy", fortran)], deflate: false);

        var error = Assert.Throws<InvalidDataException>(() => NpzArchive.Read(new MemoryStream(zip), "ckpt.npz"));

        Assert.Contains("'ckpt.npz'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'params:m:w.npy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fortran-order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_data_bit_in_a_stored_entry_is_caught_by_the_crc()
    {
        var w = NpyArray.FromFloats(Enumerable.Range(0, 64).Select(i => i * 0.5f).ToArray(), [8, 8]);
        byte[] zip = NumpyZipFixture.Write([("w.npy", NpyBytes(w))], deflate: false);
        Assert.Equal(w, NpzArchive.Read(new MemoryStream(zip))["w"]);

        // The last float of the stored entry: local header (30 + 5 name + 20 extra) + 128 header + 63 * 4.
        zip[30 + 5 + 20 + 128 + (63 * 4)] ^= 0x01;
        var error = Assert.Throws<InvalidDataException>(() => NpzArchive.Read(new MemoryStream(zip), "flipped.npz"));

        Assert.Contains("In 'flipped.npz': 'w.npy' is corrupt: its CRC-32 is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_that_is_not_npy_is_refused()
    {
        byte[] zip = NumpyZipFixture.Write([("readme.txt", "hello"u8.ToArray())], deflate: false);

        var error = Assert.Throws<InvalidDataException>(() => NpzArchive.Read(new MemoryStream(zip), "odd.npz"));

        Assert.Contains("'readme.txt' that is not a .npy array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_a_zip_are_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => NpzArchive.Read(new MemoryStream(new byte[100]), "zeros.npz"));

        Assert.Contains("'zeros.npz' is not a .npz archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_keys_are_refused_on_write()
    {
        var arrays = new KeyValuePair<string, NpyArray>[] { new("a", NpyArray.FromScalar(1L)), new("a", NpyArray.FromScalar(2L)) };

        var error = Assert.Throws<ArgumentException>(() => NpzArchive.Write(new MemoryStream(), arrays));

        Assert.Contains("'a' appears twice", error.Message, StringComparison.Ordinal);
    }

    private static KeyValuePair<string, NpyArray>[] SampleArrays() =>
    [
        new(Keys[0], NpyArray.FromScalar(6L)),
        new(Keys[1], NpyArray.FromFloats(Enumerable.Range(0, 4 * 512).Select(i => MathF.Sin(i)).ToArray(), [4, 512])),
        new(Keys[2], NpyArray.FromStrings(["geopotential", "temperature"])),
        new(Keys[3], NpyArray.FromString("GraphCast test")),
        new(Keys[4], NpyArray.FromBools([true, false])),
    ];

    private static byte[] NpyBytes(NpyArray array)
    {
        using var stream = new MemoryStream();
        NpyFormat.Write(stream, array);
        return stream.ToArray();
    }
}
