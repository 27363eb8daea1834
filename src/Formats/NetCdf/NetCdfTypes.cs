namespace GraphCast.Formats.NetCdf;

/// <summary>Sizes, names and CLR element types of <see cref="NetCdfType"/>.</summary>
public static class NetCdfTypes
{
    /// <summary>Bytes per value in a file (0 for variable-length strings).</summary>
    public static int SizeOf(this NetCdfType type) => type switch
    {
        NetCdfType.Byte or NetCdfType.Char or NetCdfType.UByte => 1,
        NetCdfType.Short or NetCdfType.UShort => 2,
        NetCdfType.Int or NetCdfType.UInt or NetCdfType.Float => 4,
        NetCdfType.Double or NetCdfType.Int64 or NetCdfType.UInt64 => 8,
        NetCdfType.String => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a netCDF type."),
    };

    /// <summary>True for the integer types (byte … uint64); char and string are not numbers.</summary>
    public static bool IsInteger(this NetCdfType type) =>
        type is NetCdfType.Byte or NetCdfType.Short or NetCdfType.Int or NetCdfType.UByte or NetCdfType.UShort
            or NetCdfType.UInt or NetCdfType.Int64 or NetCdfType.UInt64;

    public static bool IsFloatingPoint(this NetCdfType type) => type is NetCdfType.Float or NetCdfType.Double;

    /// <summary>True for the six types of the classic data model (CDF-1 and CDF-2 hold only these).</summary>
    public static bool IsClassic(this NetCdfType type) => type is >= NetCdfType.Byte and <= NetCdfType.Double;

    /// <summary>
    /// The CLR array element type that holds values of <paramref name="type"/> as stored: <c>sbyte</c> for byte (signed in
    /// netCDF), <c>byte</c> for char (one 8-bit code per value) and ubyte, <c>string</c> for netCDF-4 strings.
    /// </summary>
    public static Type ElementType(this NetCdfType type) => type switch
    {
        NetCdfType.Byte => typeof(sbyte),
        NetCdfType.Char or NetCdfType.UByte => typeof(byte),
        NetCdfType.Short => typeof(short),
        NetCdfType.Int => typeof(int),
        NetCdfType.Float => typeof(float),
        NetCdfType.Double => typeof(double),
        NetCdfType.UShort => typeof(ushort),
        NetCdfType.UInt => typeof(uint),
        NetCdfType.Int64 => typeof(long),
        NetCdfType.UInt64 => typeof(ulong),
        NetCdfType.String => typeof(string),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a netCDF type."),
    };

    /// <summary>The netCDF type of a CLR array of values (char arrays are <see cref="NetCdfType.Char"/>).</summary>
    public static NetCdfType FromElementType(Type elementType) => Type.GetTypeCode(elementType) switch
    {
        TypeCode.SByte => NetCdfType.Byte,
        TypeCode.Char => NetCdfType.Char,
        TypeCode.Int16 => NetCdfType.Short,
        TypeCode.Int32 => NetCdfType.Int,
        TypeCode.Single => NetCdfType.Float,
        TypeCode.Double => NetCdfType.Double,
        TypeCode.Byte => NetCdfType.UByte,
        TypeCode.UInt16 => NetCdfType.UShort,
        TypeCode.UInt32 => NetCdfType.UInt,
        TypeCode.Int64 => NetCdfType.Int64,
        TypeCode.UInt64 => NetCdfType.UInt64,
        TypeCode.String => NetCdfType.String,
        _ => throw new ArgumentException(
            $"netCDF has no type for {elementType.Name} values; use sbyte, char, short, int, float, double, byte, ushort, uint, long, ulong or string."),
    };

    /// <summary>The CDL name of <paramref name="type"/> (as <c>ncdump</c> prints it).</summary>
    public static string CdlName(this NetCdfType type) => type switch
    {
        NetCdfType.Byte => "byte",
        NetCdfType.Char => "char",
        NetCdfType.Short => "short",
        NetCdfType.Int => "int",
        NetCdfType.Float => "float",
        NetCdfType.Double => "double",
        NetCdfType.UByte => "ubyte",
        NetCdfType.UShort => "ushort",
        NetCdfType.UInt => "uint",
        NetCdfType.Int64 => "int64",
        NetCdfType.UInt64 => "uint64",
        NetCdfType.String => "string",
        _ => type.ToString(),
    };

    /// <summary>
    /// The default fill value of <paramref name="type"/> (<c>NC_FILL_*</c> of netcdf.h): what the library writes where no value
    /// was put, and what the classic format pads data with when the variable has no <c>_FillValue</c>.
    /// </summary>
    internal static double DefaultFill(this NetCdfType type) => type switch
    {
        NetCdfType.Byte => -127,
        NetCdfType.Char => 0,
        NetCdfType.Short => -32767,
        NetCdfType.Int => -2147483647,
        NetCdfType.Float => 9.9692099683868690e+36f,
        NetCdfType.Double => 9.9692099683868690e+36,
        NetCdfType.UByte => 255,
        NetCdfType.UShort => 65535,
        NetCdfType.UInt => 4294967295,
        NetCdfType.Int64 => -9223372036854775806,
        NetCdfType.UInt64 => 18446744073709551614,
        _ => 0,
    };
}
