using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GraphCast.Formats.Npy;

/// <summary>The numpy <c>.npy</c> file format (versions 1.0, 2.0 and 3.0): reading and writing one <see cref="NpyArray"/>.</summary>
/// <remarks>
/// Layout: the magic <c>\x93NUMPY</c>, a major and minor version byte, the header length (uint16 LE in 1.0,
/// uint32 LE in 2.0 and 3.0), the header dict text (latin-1; UTF-8 in 3.0) padded with spaces and a final
/// newline so that the data starts on a 64-byte boundary, then the raw C-order data. Only little-endian,
/// C-order arrays of the <see cref="NpyDtype"/> types are supported; anything else is a clear error.
/// </remarks>
public static class NpyFormat
{
    /// <summary>numpy's <c>ARRAY_ALIGN</c>: the data offset is a multiple of this.</summary>
    private const int ArrayAlign = 64;

    /// <summary>Headers larger than this are refused on read (numpy's own limit is 10 000 characters unless trusted).</summary>
    private const int MaxHeaderLength = 16 << 20;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads one array from <paramref name="stream"/>, leaving it positioned after the data.</summary>
    /// <param name="sourceName">Names the file or archive entry in error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a supported .npy array; the message says why and names the source.</exception>
    public static NpyArray Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName is null ? "the .npy stream" : $"'{sourceName}'";

        Span<byte> prefix = stackalloc byte[8];
        if (ReadFully(stream, prefix) != prefix.Length || !prefix[..6].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{source} is not a .npy array: it does not start with the magic string \\x93NUMPY.");
        }

        byte major = prefix[6];
        byte minor = prefix[7];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new InvalidDataException($"{source} is .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are supported."),
        };

        Span<byte> lengthField = stackalloc byte[4];
        if (ReadFully(stream, lengthField[..lengthBytes]) != lengthBytes)
        {
            throw new InvalidDataException($"{source} is truncated inside its .npy header length.");
        }

        uint headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException($"{source} declares a .npy header of {headerLength} bytes; more than {MaxHeaderLength} is refused as corrupt.");
        }

        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) != headerBytes.Length)
        {
            throw new InvalidDataException($"{source} is truncated inside its .npy header ({headerLength} bytes declared).");
        }

        string headerText = major == 3 ? DecodeUtf8(headerBytes, source) : Encoding.Latin1.GetString(headerBytes);
        var header = NpyHeader.Parse(headerText, source);
        if (header.FortranOrder)
        {
            throw new InvalidDataException(
                $"{source} holds a Fortran-order array (fortran_order: True, shape {NpyArray.FormatShape(header.Shape)}); only C order is supported — save np.ascontiguousarray(x) instead.");
        }

        (NpyDtype dtype, int unicodeLength) = ParseDescr(header.Descr, source);
        long byteCount;
        try
        {
            byteCount = header.Shape.Contains(0)
                ? 0
                : checked(header.Shape.Aggregate(1L, (product, dim) => product * dim) * NpyArray.ElementSize(dtype, unicodeLength));
        }
        catch (OverflowException)
        {
            byteCount = long.MaxValue;
        }

        if (byteCount > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"{source} holds {header.Descr} of shape {NpyArray.FormatShape(header.Shape)}, {byteCount} bytes; arrays over {Array.MaxLength} bytes are not supported.");
        }

        // A seekable source can refuse a truncated file before allocating for it.
        if (stream.CanSeek && byteCount > stream.Length - stream.Position)
        {
            throw new InvalidDataException(
                $"{source} is truncated: its header declares {header.Descr} of shape {NpyArray.FormatShape(header.Shape)} ({byteCount} bytes) but only {stream.Length - stream.Position} bytes of data follow.");
        }

        var data = new byte[byteCount];
        int read = ReadFully(stream, data);
        if (read != data.Length)
        {
            throw new InvalidDataException(
                $"{source} is truncated: its header declares {header.Descr} of shape {NpyArray.FormatShape(header.Shape)} ({data.Length} bytes) but only {read} bytes of data follow.");
        }

        return new NpyArray(dtype, header.Shape, data, unicodeLength);
    }

    /// <summary>Writes <paramref name="array"/> as numpy's <c>np.save</c> does: version 1.0 (2.0 when the header needs more than 65 535 bytes), 64-byte aligned.</summary>
    /// <exception cref="ArgumentException">The dtype has no .npy descriptor (bfloat16).</exception>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        stream.Write(FormatHeader(array));
        stream.Write(array.Data);
    }

    /// <summary>The numpy descriptor of a dtype (<c>&lt;f4</c>, <c>|b1</c>, <c>&lt;U12</c>).</summary>
    /// <exception cref="ArgumentException">bfloat16, which numpy cannot describe.</exception>
    public static string Descr(NpyDtype dtype, int unicodeLength = 0) => dtype switch
    {
        NpyDtype.Bool => "|b1",
        NpyDtype.UInt8 => "|u1",
        NpyDtype.Int32 => "<i4",
        NpyDtype.Int64 => "<i8",
        NpyDtype.Float16 => "<f2",
        NpyDtype.Float32 => "<f4",
        NpyDtype.Float64 => "<f8",
        NpyDtype.Unicode => string.Create(CultureInfo.InvariantCulture, $"<U{unicodeLength}"),
        NpyDtype.BFloat16 => throw new ArgumentException(
            "bfloat16 has no .npy dtype; cast the array to float32 (the reference checkpoints store float32) or write it to safetensors.", nameof(dtype)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDtype."),
    };

    /// <summary>The magic, version, length and padded header bytes that precede the data of <paramref name="array"/>.</summary>
    internal static byte[] FormatHeader(NpyArray array)
    {
        string text = new NpyHeader(Descr(array.Dtype, array.UnicodeLength), FortranOrder: false, array.Shape).Format();

        // numpy's _wrap_header: pad so magic + version + length field + header + '\n' ends on a 64-byte boundary
        // (a full 64 spaces when it already would), trying version 1.0 first and 2.0 if the length overflows uint16.
        int lengthBytes = 2;
        int padded = PaddedLength(text.Length, lengthBytes);
        if (padded > ushort.MaxValue)
        {
            lengthBytes = 4;
            padded = PaddedLength(text.Length, lengthBytes);
        }

        var bytes = new byte[8 + lengthBytes + padded];
        Magic.CopyTo(bytes);
        bytes[6] = lengthBytes == 2 ? (byte)1 : (byte)2;
        bytes[7] = 0;
        if (lengthBytes == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)padded);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)padded);
        }

        var headerSpan = bytes.AsSpan(8 + lengthBytes);
        int written = Encoding.Latin1.GetBytes(text, headerSpan);
        headerSpan[written..^1].Fill((byte)' ');
        headerSpan[^1] = (byte)'\n';
        return bytes;
    }

    private static int PaddedLength(int textLength, int lengthBytes)
    {
        int withNewline = textLength + 1;
        int padding = ArrayAlign - ((8 + lengthBytes + withNewline) % ArrayAlign);
        return withNewline + padding;
    }

    private static (NpyDtype Dtype, int UnicodeLength) ParseDescr(string descr, string source)
    {
        if (descr.Length < 2)
        {
            throw UnsupportedDescr(descr, source);
        }

        char order = descr[0];
        string kind = descr[1..];
        (NpyDtype dtype, int unicodeLength) = kind switch
        {
            "b1" => (NpyDtype.Bool, 0),
            "u1" => (NpyDtype.UInt8, 0),
            "i4" => (NpyDtype.Int32, 0),
            "i8" => (NpyDtype.Int64, 0),
            "f2" => (NpyDtype.Float16, 0),
            "f4" => (NpyDtype.Float32, 0),
            "f8" => (NpyDtype.Float64, 0),
            _ when kind[0] == 'U' && int.TryParse(kind.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= int.MaxValue / 4 => (NpyDtype.Unicode, n),
            _ => throw UnsupportedDescr(descr, source),
        };

        bool singleByte = NpyArray.ElementSize(dtype, unicodeLength) == 1 || (dtype == NpyDtype.Unicode && unicodeLength == 0);
        if (order == '>' && !singleByte)
        {
            throw new InvalidDataException(
                $"{source} is stored big-endian ('{descr}'); only little-endian arrays are supported — save x.astype(x.dtype.newbyteorder('<')) instead.");
        }

        if (order is not ('<' or '|' or '=' or '>'))
        {
            throw UnsupportedDescr(descr, source);
        }

        return (dtype, unicodeLength);
    }

    private static InvalidDataException UnsupportedDescr(string descr, string source) => new(
        $"{source} has dtype '{descr}', which is not supported; supported are <f4, <f8, <f2, <i8, <i4, |u1, |b1 and <U{{n}}.");

    private static string DecodeUtf8(byte[] bytes, string source)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source}: the version 3.0 .npy header is not valid UTF-8.", e);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    internal static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
