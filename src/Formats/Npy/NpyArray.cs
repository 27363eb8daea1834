using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace GraphCast.Formats.Npy;

/// <summary>An in-memory n-dimensional array as checkpoint files hold it: a dtype, a C-order shape and the raw little-endian bytes.</summary>
/// <remarks>
/// The record owns its buffers and does not copy them on access: <see cref="Shape"/> and <see cref="Data"/> are
/// the arrays themselves (a 0.25° checkpoint is ~150 MB; one copy is enough). Callers must not mutate them.
/// A 0-d array (numpy shape <c>()</c>) has an empty <see cref="Shape"/> and one element. Equality compares
/// dtype, string width, shape and bytes, so NaN payloads and signed zeros count.
/// </remarks>
public sealed class NpyArray : IEquatable<NpyArray>
{
    private static readonly UTF32Encoding StrictUtf32 = new(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true);

    /// <summary>Wraps <paramref name="data"/> (not copied) as an array of <paramref name="dtype"/> and <paramref name="shape"/> (copied).</summary>
    /// <param name="unicodeLength">Code points per element for <see cref="NpyDtype.Unicode"/>; must be 0 for other dtypes.</param>
    public NpyArray(NpyDtype dtype, ReadOnlySpan<long> shape, byte[] data, int unicodeLength = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Enum.IsDefined(dtype))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDtype.");
        }

        if (dtype == NpyDtype.Unicode ? unicodeLength < 0 : unicodeLength != 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(unicodeLength), unicodeLength, "unicodeLength is the string width of a Unicode array (>= 0) and must be 0 for other dtypes.");
        }

        long count = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension.", nameof(shape));
            }

            count = checked(count * dim);
        }

        Dtype = dtype;
        UnicodeLength = unicodeLength;
        Shape = shape.ToArray();
        ElementCount = count;
        ItemSize = ElementSize(dtype, unicodeLength);
        long expected = checked(count * ItemSize);
        if (data.LongLength != expected)
        {
            throw new ArgumentException(
                $"{data.LongLength} bytes of data do not fit a {DescribeType()} array of shape {FormatShape(shape)}, which needs {expected} bytes.",
                nameof(data));
        }

        Data = data;
    }

    /// <summary>The element type.</summary>
    public NpyDtype Dtype { get; }

    /// <summary>For <see cref="NpyDtype.Unicode"/>: code points per element (numpy's n in <c>&lt;U{n}</c>); otherwise 0.</summary>
    public int UnicodeLength { get; }

    /// <summary>The C-order shape; empty for a 0-d array. Not to be mutated.</summary>
    public long[] Shape { get; }

    /// <summary>The raw little-endian element bytes in C order. Not to be mutated.</summary>
    public byte[] Data { get; }

    /// <summary>The number of elements (1 for a 0-d array).</summary>
    public long ElementCount { get; }

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; }

    /// <summary>Whether the array is 0-d (numpy shape <c>()</c>).</summary>
    public bool IsScalar => Shape.Length == 0;

    /// <summary>Bytes per element of <paramref name="dtype"/> (4 × <paramref name="unicodeLength"/> for unicode).</summary>
    public static int ElementSize(NpyDtype dtype, int unicodeLength = 0) => dtype switch
    {
        NpyDtype.Bool or NpyDtype.UInt8 => 1,
        NpyDtype.Float16 or NpyDtype.BFloat16 => 2,
        NpyDtype.Int32 or NpyDtype.Float32 => 4,
        NpyDtype.Int64 or NpyDtype.Float64 => 8,
        NpyDtype.Unicode => checked(4 * unicodeLength),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDtype."),
    };

    /// <summary>A float32 array of <paramref name="shape"/> (default: 1-d of the values' length) holding a copy of <paramref name="values"/>.</summary>
    public static NpyArray FromFloats(ReadOnlySpan<float> values, long[]? shape = null) =>
        FromValues(NpyDtype.Float32, values, shape);

    /// <summary>A float64 array of <paramref name="shape"/> (default: 1-d) holding a copy of <paramref name="values"/>.</summary>
    public static NpyArray FromDoubles(ReadOnlySpan<double> values, long[]? shape = null) =>
        FromValues(NpyDtype.Float64, values, shape);

    /// <summary>An int64 array of <paramref name="shape"/> (default: 1-d) holding a copy of <paramref name="values"/>.</summary>
    public static NpyArray FromLongs(ReadOnlySpan<long> values, long[]? shape = null) =>
        FromValues(NpyDtype.Int64, values, shape);

    /// <summary>An int32 array of <paramref name="shape"/> (default: 1-d) holding a copy of <paramref name="values"/>.</summary>
    public static NpyArray FromInts(ReadOnlySpan<int> values, long[]? shape = null) =>
        FromValues(NpyDtype.Int32, values, shape);

    /// <summary>A bool array of <paramref name="shape"/> (default: 1-d) holding <paramref name="values"/> as bytes 0/1.</summary>
    public static NpyArray FromBools(ReadOnlySpan<bool> values, long[]? shape = null)
    {
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bytes[i] = values[i] ? (byte)1 : (byte)0;
        }

        return new NpyArray(NpyDtype.Bool, shape ?? [values.Length], bytes);
    }

    /// <summary>A 0-d float64 array, as the reference checkpoint stores a Python float.</summary>
    public static NpyArray FromScalar(double value) => FromDoubles([value], []);

    /// <summary>A 0-d int64 array, as the reference checkpoint stores a Python int.</summary>
    public static NpyArray FromScalar(long value) => FromLongs([value], []);

    /// <summary>A 0-d <c>&lt;U{n}</c> array (n = code points of <paramref name="value"/>, at least 1, as numpy does), as the reference stores a Python str.</summary>
    public static NpyArray FromString(string value) => FromStrings([value], []);

    /// <summary>A <c>&lt;U{n}</c> array of <paramref name="shape"/> (default: 1-d), n the longest value in code points (at least 1, as numpy does).</summary>
    public static NpyArray FromStrings(IReadOnlyList<string> values, long[]? shape = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var encoded = new byte[values.Count][];
        int width = 1;
        for (int i = 0; i < values.Count; i++)
        {
            encoded[i] = StrictUtf32.GetBytes(values[i] ?? throw new ArgumentException($"Value {i} is null.", nameof(values)));
            width = Math.Max(width, encoded[i].Length / 4);
        }

        // Each element is padded with NUL code points to the common width; numpy strips them when reading.
        int itemSize = 4 * width;
        var data = new byte[checked(values.Count * itemSize)];
        for (int i = 0; i < encoded.Length; i++)
        {
            encoded[i].CopyTo(data, i * itemSize);
        }

        return new NpyArray(NpyDtype.Unicode, shape ?? [values.Count], data, width);
    }

    /// <summary>A copy of the elements of a float32 array, in C order.</summary>
    public float[] ToFloatArray() => ToValues<float>(NpyDtype.Float32);

    /// <summary>A copy of the elements of a float64 array, in C order.</summary>
    public double[] ToDoubleArray() => ToValues<double>(NpyDtype.Float64);

    /// <summary>A copy of the elements of an int64 array, in C order.</summary>
    public long[] ToLongArray() => ToValues<long>(NpyDtype.Int64);

    /// <summary>A copy of the elements of an int32 array, in C order.</summary>
    public int[] ToIntArray() => ToValues<int>(NpyDtype.Int32);

    /// <summary>The elements of a bool array, in C order (any non-zero byte is true, as in numpy).</summary>
    public bool[] ToBoolArray()
    {
        RequireDtype(NpyDtype.Bool);
        return Array.ConvertAll(Data, b => b != 0);
    }

    /// <summary>The elements of a unicode array, in C order, with numpy's trailing NUL padding removed.</summary>
    public string[] ToStringArray()
    {
        RequireDtype(NpyDtype.Unicode);
        var result = new string[ElementCount];
        for (long i = 0; i < ElementCount; i++)
        {
            var element = Data.AsSpan(checked((int)(i * ItemSize)), ItemSize);
            var codePoints = MemoryMarshal.Cast<byte, uint>(element);
            int length = codePoints.Length;
            while (length > 0 && codePoints[length - 1] == 0)
            {
                length--;
            }

            try
            {
                result[i] = StrictUtf32.GetString(element[..(4 * length)]);
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"Element {i} of a {DescribeType()} array is not valid UTF-32: {e.Message}", e);
            }
        }

        return result;
    }

    /// <summary>The value of a single-element unicode array (a reference checkpoint's Python str).</summary>
    public string ToScalarString()
    {
        RequireSingleElement();
        return ToStringArray()[0];
    }

    /// <summary>The value of a single-element numeric array as a double (a reference checkpoint's Python float; ints convert as Python's float() does).</summary>
    public double ToScalarDouble()
    {
        RequireSingleElement();
        return Dtype switch
        {
            NpyDtype.Float64 => ToDoubleArray()[0],
            NpyDtype.Float32 => ToFloatArray()[0],
            NpyDtype.Int64 => ToLongArray()[0],
            NpyDtype.Int32 => ToIntArray()[0],
            _ => throw new InvalidOperationException($"A {DescribeType()} array has no floating-point value; expected float64, float32, int64 or int32."),
        };
    }

    /// <summary>The value of a single-element integer array (a reference checkpoint's Python int).</summary>
    public long ToScalarLong()
    {
        RequireSingleElement();
        return Dtype switch
        {
            NpyDtype.Int64 => ToLongArray()[0],
            NpyDtype.Int32 => ToIntArray()[0],
            NpyDtype.UInt8 => Data[0],
            _ => throw new InvalidOperationException($"A {DescribeType()} array has no integer value; expected int64, int32 or uint8."),
        };
    }

    /// <summary>The dtype as a short name (<c>float32</c>, <c>&lt;U3</c>) for messages.</summary>
    public string DescribeType() => Dtype == NpyDtype.Unicode ? $"<U{UnicodeLength}" : Dtype.ToString().ToLowerInvariant();

    /// <summary>A shape as numpy prints it: <c>()</c>, <c>(512,)</c>, <c>(4, 512)</c>.</summary>
    public static string FormatShape(ReadOnlySpan<long> shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => $"({string.Join(", ", shape.ToArray())})",
    };

    /// <inheritdoc/>
    public bool Equals(NpyArray? other) =>
        other is not null
        && Dtype == other.Dtype
        && UnicodeLength == other.UnicodeLength
        && Shape.AsSpan().SequenceEqual(other.Shape)
        && Data.AsSpan().SequenceEqual(other.Data);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NpyArray);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Dtype);
        hash.Add(UnicodeLength);
        foreach (long dim in Shape)
        {
            hash.Add(dim);
        }

        hash.AddBytes(Data.AsSpan(0, Math.Min(Data.Length, 64)));
        return hash.ToHashCode();
    }

    /// <summary>Dtype and shape, e.g. <c>float32(4, 512)</c>.</summary>
    public override string ToString() => $"{DescribeType()}{FormatShape(Shape)}";

    private static NpyArray FromValues<T>(NpyDtype dtype, ReadOnlySpan<T> values, long[]? shape)
        where T : unmanaged
    {
        // Host byte order is the file byte order: every platform .NET and LibTorch run on here is little-endian.
        Debug.Assert(BitConverter.IsLittleEndian, "NpyArray stores little-endian data and assumes a little-endian host.");
        return new NpyArray(dtype, shape ?? [values.Length], MemoryMarshal.AsBytes(values).ToArray());
    }

    private T[] ToValues<T>(NpyDtype dtype)
        where T : unmanaged
    {
        RequireDtype(dtype);
        Debug.Assert(BitConverter.IsLittleEndian, "NpyArray stores little-endian data and assumes a little-endian host.");
        return MemoryMarshal.Cast<byte, T>(Data).ToArray();
    }

    private void RequireDtype(NpyDtype dtype)
    {
        if (Dtype != dtype)
        {
            throw new InvalidOperationException($"The array is {this}, not {dtype.ToString().ToLowerInvariant()}; use the accessor of its dtype.");
        }
    }

    private void RequireSingleElement()
    {
        if (ElementCount != 1)
        {
            throw new InvalidOperationException($"The array is {this}, not a scalar; a scalar has shape () (or a single element).");
        }
    }
}
