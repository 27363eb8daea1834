namespace GraphCast.Formats.NetCdf;

/// <summary>The on-disk formats of netCDF, told apart by a file's first bytes (<see cref="NetCdfFormats.Detect(ReadOnlySpan{byte})"/>).</summary>
public enum NetCdfFormat
{
    /// <summary>CDF-1, the classic format (<c>CDF\x01</c>): 32-bit offsets.</summary>
    Classic,

    /// <summary>CDF-2, the 64-bit offset format (<c>CDF\x02</c>).</summary>
    Offset64,

    /// <summary>CDF-5, the 64-bit data format of PnetCDF (<c>CDF\x05</c>): 64-bit counts and the unsigned / 64-bit integer types.</summary>
    Cdf5,

    /// <summary>netCDF-4: an HDF5 file (<c>\x89HDF\r\n\x1a\n</c>) laid out by the netCDF-4 conventions.</summary>
    NetCdf4,
}
