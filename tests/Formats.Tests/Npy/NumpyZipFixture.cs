using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace GraphCast.Formats.Tests.Npy;

/// <summary>Writes zip archives laid out as numpy's <c>np.savez</c> writes them through Python's zipfile with <c>force_zip64=True</c>.</summary>
/// <remarks>
/// Every local header carries version 4.5, sizes of 0xFFFFFFFF and a zip64 extra field (id 1) with the real
/// 64-bit sizes; the central directory has the 32-bit sizes and no extra field; timestamps are 1980-01-01.
/// For stored entries this is byte-for-byte what CPython 3 writes (checked against it while developing).
/// </remarks>
internal static class NumpyZipFixture
{
    public static byte[] Write(IEnumerable<(string Name, byte[] Content)> entries, bool deflate)
    {
        using var zip = new MemoryStream();
        var central = new MemoryStream();
        int count = 0;
        foreach ((string name, byte[] content) in entries)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            byte[] payload = deflate ? Deflate(content) : content;
            uint crc = Crc32(content);
            long offset = zip.Position;
            ushort method = deflate ? (ushort)8 : (ushort)0;

            var local = new byte[30 + nameBytes.Length + 20];
            BinaryPrimitives.WriteUInt32LittleEndian(local, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(4), 45);      // version needed: zip64
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(6), 0);       // flags
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(8), method);
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(10), 0);      // DOS time 00:00:00
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(12), 0x21);   // DOS date 1980-01-01
            BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(14), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(18), 0xFFFFFFFF);
            BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(22), 0xFFFFFFFF);
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(26), (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(28), 20);
            nameBytes.CopyTo(local, 30);
            var extra = local.AsSpan(30 + nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 1);                 // zip64 extended information
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], (ulong)content.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], (ulong)payload.Length);
            zip.Write(local);
            zip.Write(payload);

            var entry = new byte[46 + nameBytes.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(entry, 0x02014b50);
            entry[4] = 45;                                                      // made by: version 4.5
            entry[5] = 3;                                                       // made by: Unix
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(6), 45);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(10), method);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(14), 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(16), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(20), (uint)payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(24), (uint)content.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(28), (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(38), 0x01800000); // external attributes: -rw-------
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(42), (uint)offset);
            nameBytes.CopyTo(entry, 46);
            central.Write(entry);
            count++;
        }

        long centralOffset = zip.Position;
        central.Position = 0;
        central.CopyTo(zip);
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)central.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)centralOffset);
        zip.Write(end);
        return zip.ToArray();
    }

    private static byte[] Deflate(byte[] content)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(content);
        }

        return output.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        // The zip CRC-32 (reflected polynomial 0xEDB88320), bit by bit: fixtures are small.
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
