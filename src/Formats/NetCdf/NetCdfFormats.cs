namespace GraphCast.Formats.NetCdf;

/// <summary>Detection of <see cref="NetCdfFormat"/> from magic bytes.</summary>
public static class NetCdfFormats
{
    /// <summary>The HDF5 superblock signature.</summary>
    public static ReadOnlySpan<byte> Hdf5Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    /// <summary>The format whose signature <paramref name="head"/> starts with, or null when it is none of them.</summary>
    public static NetCdfFormat? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == 'C' && head[1] == 'D' && head[2] == 'F')
        {
            return head[3] switch
            {
                1 => NetCdfFormat.Classic,
                2 => NetCdfFormat.Offset64,
                5 => NetCdfFormat.Cdf5,
                _ => null,
            };
        }

        return head.StartsWith(Hdf5Signature) ? NetCdfFormat.NetCdf4 : null;
    }

    /// <summary>
    /// The format of the file at <paramref name="path"/>. An HDF5 signature is also looked for after a user block
    /// (offsets 512, 1024, 2048, … as HDF5 allows).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is neither classic netCDF nor HDF5.</exception>
    public static NetCdfFormat Detect(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        Span<byte> head = stackalloc byte[8];
        for (long offset = 0; offset + head.Length <= stream.Length; offset = offset == 0 ? 512 : offset * 2)
        {
            stream.Position = offset;
            stream.ReadExactly(head);
            if (Detect(head) is { } format && (offset == 0 || format == NetCdfFormat.NetCdf4))
            {
                return format;
            }
        }

        throw new InvalidDataException(
            $"'{path}' is not a netCDF file: it starts with neither CDF\\x01, CDF\\x02, CDF\\x05 (classic netCDF) nor the HDF5 signature (netCDF-4).");
    }
}
