namespace GraphCast.Formats.NetCdf;

/// <summary>
/// The external types of netCDF (<c>nc_type</c>), numbered as in the classic format's header: the six classic types,
/// the CDF-5 / netCDF-4 unsigned and 64-bit integers, and netCDF-4's variable-length string.
/// </summary>
public enum NetCdfType
{
    Byte = 1,
    Char = 2,
    Short = 3,
    Int = 4,
    Float = 5,
    Double = 6,
    UByte = 7,
    UShort = 8,
    UInt = 9,
    Int64 = 10,
    UInt64 = 11,
    String = 12,
}
