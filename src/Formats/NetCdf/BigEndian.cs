using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace GraphCast.Formats.NetCdf;

/// <summary>The classic format's byte order (big-endian, "XDR") for arrays of values: in-place swaps and typed conversions.</summary>
internal static class BigEndian
{
    /// <summary>Reinterprets big-endian <paramref name="bytes"/> as values of <paramref name="type"/> (an array of its element type).</summary>
    public static Array ToArray(ReadOnlySpan<byte> bytes, NetCdfType type)
    {
        var size = type.SizeOf();
        var array = Array.CreateInstance(type.ElementType(), bytes.Length / size);
        bytes.CopyTo(AsBytes(array));
        SwapToNative(array);
        return array;
    }

    /// <summary>The raw bytes of a primitive array (its own memory, no copy).</summary>
    public static Span<byte> AsBytes(Array array)
    {
        var elementType = array.GetType().GetElementType()!;
        if (array.Rank != 1 || !elementType.IsPrimitive || elementType == typeof(bool) || elementType == typeof(char) || elementType == typeof(nint) || elementType == typeof(nuint))
        {
            throw new ArgumentException($"{array.GetType().Name} is not a one-dimensional array of fixed-size numbers.");
        }

        // Primitive arrays of equal element size share one layout: view any of them through its byte image.
        return MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * ElementSize(elementType)));
    }

    private static int ElementSize(Type elementType) => Type.GetTypeCode(elementType) switch
    {
        TypeCode.Byte or TypeCode.SByte => 1,
        TypeCode.Int16 or TypeCode.UInt16 => 2,
        TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Single => 4,
        _ => 8,
    };

    /// <summary>Swaps big-endian values to this machine's order in place (and back: the swap is its own inverse).</summary>
    public static void SwapToNative(Array array)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return;
        }

        var bytes = AsBytes(array);
        switch (array.Length == 0 ? 1 : bytes.Length / array.Length)
        {
            case 2:
                var s = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<byte, ulong>(bytes);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }
}
