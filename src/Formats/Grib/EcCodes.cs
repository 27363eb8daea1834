using System.Runtime.InteropServices;
using System.Text;

namespace GraphCast.Formats.Grib;

/// <summary>
/// The few functions of ECMWF's ecCodes C library (Debian package <c>libeccodes0</c>, <c>libeccodes.so.0</c>) that reading
/// GRIB needs, through P/Invoke: open a message from bytes, read keys and the decoded values, free it. GRIB decoding
/// (every packing, both editions) is ecCodes' own; nothing here parses GRIB.
/// </summary>
public static partial class EcCodes
{
    private const string Library = "libeccodes.so.0";

    private static readonly Lazy<string?> LoadError = new(() =>
    {
        if (NativeLibrary.TryLoad(Library, typeof(EcCodes).Assembly, null, out _))
        {
            return null;
        }

        return $"Reading GRIB needs ECMWF's ecCodes library ({Library}), which was not found. Install it with " +
            "'apt-get install libeccodes0' (Debian/Ubuntu), or convert the file to netCDF with grib_to_netcdf.";
    });

    /// <summary>Throws unless the library loads; the message says what to install.</summary>
    /// <exception cref="DllNotFoundException">ecCodes is not installed.</exception>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } message)
        {
            throw new DllNotFoundException(message);
        }
    }

    /// <summary>A handle on a copy of one GRIB message (ecCodes owns the copy until <see cref="Delete"/>).</summary>
    public static unsafe IntPtr NewFromMessage(ReadOnlySpan<byte> message)
    {
        fixed (byte* data = message)
        {
            var handle = codes_handle_new_from_message_copy(IntPtr.Zero, data, (nuint)message.Length);
            return handle != IntPtr.Zero ? handle : throw new InvalidDataException("ecCodes could not decode a GRIB message.");
        }
    }

    /// <summary>
    /// The byte offset and length of every GRIB message in the file at <paramref name="path"/>, as ecCodes frames them
    /// (it skips anything between messages).
    /// </summary>
    public static IReadOnlyList<(long Offset, long Length)> Messages(string path)
    {
        var file = fopen(path, "rb");
        if (file == IntPtr.Zero)
        {
            throw new FileNotFoundException($"Cannot open GRIB file '{path}'.", path);
        }

        var result = new List<(long, long)>();
        try
        {
            while (true)
            {
                var handle = codes_handle_new_from_file(IntPtr.Zero, file, ProductGrib, out var error);
                if (handle == IntPtr.Zero)
                {
                    if (error != 0)
                    {
                        throw new InvalidDataException($"'{path}': ecCodes stopped after {result.Count} GRIB messages: {Marshal.PtrToStringUTF8(codes_get_error_message(error))} (code {error}).");
                    }

                    break;
                }

                try
                {
                    result.Add((Long(handle, "offset") ?? throw new InvalidDataException("A GRIB message has no offset."),
                        Long(handle, "totalLength") ?? throw new InvalidDataException("A GRIB message has no totalLength.")));
                }
                finally
                {
                    Delete(handle);
                }
            }
        }
        finally
        {
            _ = fclose(file);
        }

        return result;
    }

    public static void Delete(IntPtr handle) => _ = codes_handle_delete(handle);

    /// <summary>The integer value of <paramref name="key"/>, or null when the message has no such key.</summary>
    public static long? Long(IntPtr handle, string key) => codes_get_long(handle, key, out var value) == 0 ? value : null;

    /// <summary>The floating-point value of <paramref name="key"/>, or null when the message has no such key.</summary>
    public static double? Double(IntPtr handle, string key) => codes_get_double(handle, key, out var value) == 0 ? value : null;

    /// <summary>The text value of <paramref name="key"/>, or null when the message has no such key.</summary>
    public static unsafe string? String(IntPtr handle, string key)
    {
        var buffer = stackalloc byte[1024];
        nuint length = 1024;
        if (codes_get_string(handle, key, buffer, ref length) != 0)
        {
            return null;
        }

        var text = new ReadOnlySpan<byte>(buffer, (int)length);
        var end = text.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? text[..end] : text);
    }

    /// <summary>The decoded values of the message (key <c>values</c>), in its scanning order.</summary>
    public static unsafe double[] Values(IntPtr handle)
    {
        Check(codes_get_size(handle, "values", out var size), "values size");
        var values = new double[(int)size];
        fixed (double* p = values)
        {
            var length = size;
            Check(codes_get_double_array(handle, "values", p, ref length), "values");
            if (length != size)
            {
                throw new InvalidDataException($"ecCodes returned {length} values for a message of {size}.");
            }
        }

        return values;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidDataException($"ecCodes could not read '{what}' of a GRIB message: {Marshal.PtrToStringUTF8(codes_get_error_message(error))} (code {error}).");
        }
    }

    [LibraryImport(Library)]
    private static unsafe partial IntPtr codes_handle_new_from_message_copy(IntPtr context, byte* data, nuint length);

    [LibraryImport(Library)]
    private static partial int codes_handle_delete(IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int codes_get_long(IntPtr handle, string key, out long value);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int codes_get_double(IntPtr handle, string key, out double value);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int codes_get_string(IntPtr handle, string key, byte* message, ref nuint length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int codes_get_size(IntPtr handle, string key, out nuint size);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int codes_get_double_array(IntPtr handle, string key, double* values, ref nuint length);

    [LibraryImport(Library)]
    private static partial IntPtr codes_get_error_message(int code);

    /// <summary>ecCodes' <c>PRODUCT_GRIB</c>.</summary>
    private const int ProductGrib = 1;

    [LibraryImport(Library)]
    private static partial IntPtr codes_handle_new_from_file(IntPtr context, IntPtr file, int product, out int error);

    // ecCodes reads from a C stdio FILE*.
    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr fopen(string path, string mode);

    [LibraryImport("libc.so.6")]
    private static partial int fclose(IntPtr file);
}
