using System.Text;
using Microsoft.Win32.SafeHandles;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// Reads the classic netCDF formats (CDF-1, CDF-2 "64-bit offset", CDF-5 "64-bit data"), as laid out by the NetCDF Classic
/// Format Specification: a big-endian header (numrecs, dim_list, gatt_list, var_list with nc_type, vsize and begin), then
/// the fixed-size variables, then the records, each record holding one slab of every record variable in header order.
/// </summary>
internal static class ClassicFormatReader
{
    internal const int NcDimension = 0x0A;
    internal const int NcVariable = 0x0B;
    internal const int NcAttribute = 0x0C;

    public static NetCdfDataset Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return Read(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static NetCdfDataset Read(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        // The header is parsed through its own stream: a FileStream over `handle` would close it when disposed.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path);
        var format = NetCdfFormats.Detect(magic) is { } f and not NetCdfFormat.NetCdf4 ? f
            : throw new InvalidDataException($"'{path}' is not a classic netCDF file (CDF-1, CDF-2 or CDF-5).");
        var header = new Header(stream, format, path);

        var numrecs = header.ReadNumrecs();
        var dims = new List<NetCdfDimension>();
        header.ReadList(NcDimension, "dimension", () =>
        {
            var name = header.ReadName();
            var length = header.ReadCount();
            dims.Add(length == 0 ? new NetCdfDimension(name, -1, IsUnlimited: true) : new NetCdfDimension(name, length));
        });
        var globalAttributes = header.ReadAttributes();

        var definitions = new List<(string Name, int[] DimIds, List<NetCdfAttribute> Attributes, NetCdfType Type, long Begin)>();
        header.ReadList(NcVariable, "variable", () =>
        {
            var name = header.ReadName();
            var rank = header.ReadCount();
            var dimIds = new int[rank];
            for (var i = 0; i < rank; i++)
            {
                var id = header.ReadCount();
                dimIds[i] = id < dims.Count ? (int)id
                    : throw new InvalidDataException($"'{path}': variable '{name}' refers to dimension id {id}; the file defines {dims.Count} dimensions.");
            }

            var attributes = header.ReadAttributes();
            var type = header.ReadType();
            _ = header.ReadCount(); // vsize: recomputed from the shape, as the spec allows (it saturates for large variables).
            var begin = header.ReadOffset();
            definitions.Add((name, dimIds, attributes, type, begin));
        });

        // Record layout: one slab of every record variable per record. A lone record variable's slabs are not padded.
        bool IsRecord(int[] dimIds) => dimIds.Length > 0 && dims[dimIds[0]].IsUnlimited;
        long SlabBytes(int[] dimIds, NetCdfType type) =>
            dimIds.Skip(IsRecord(dimIds) ? 1 : 0).Aggregate((long)type.SizeOf(), (a, id) => a * dims[id].Length);
        var recordVariables = definitions.Where(d => IsRecord(d.DimIds)).ToList();
        var recordSize = recordVariables.Count == 1
            ? SlabBytes(recordVariables[0].DimIds, recordVariables[0].Type)
            : recordVariables.Sum(d => Pad4(SlabBytes(d.DimIds, d.Type)));

        if (numrecs < 0)
        {
            // Streaming: the writer did not record the count; the file's length tells it.
            var first = recordVariables.Count == 0 ? fileLength : recordVariables.Min(d => d.Begin);
            numrecs = recordSize == 0 ? 0 : Math.Max(0, fileLength - first) / recordSize;
        }

        for (var i = 0; i < dims.Count; i++)
        {
            if (dims[i].IsUnlimited)
            {
                dims[i] = dims[i] with { Length = numrecs };
            }
        }

        var variables = definitions.Select(d =>
        {
            var vdims = d.DimIds.Select(id => dims[id]).ToArray();
            var storage = new ClassicVariableStorage(handle, path, d.Type, vdims.Select(x => x.Length).ToArray(), IsRecord(d.DimIds), d.Begin, recordSize);
            return new NetCdfVariable(d.Name, d.Type, vdims, NetCdfDataset.ByName(d.Attributes, a => a.Name, "attribute", path), storage, path);
        }).ToList();

        return new NetCdfDataset(path, format, dims, globalAttributes, variables, handle);
    }

    internal static long Pad4(long bytes) => (bytes + 3) & ~3L;

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' ends inside its netCDF header: the file is truncated.", e);
        }
    }

    /// <summary>Sequential reader of the header's big-endian fields; field widths depend on the format.</summary>
    private sealed class Header(Stream stream, NetCdfFormat format, string path)
    {
        private readonly byte[] _buffer = new byte[8];

        private bool Cdf5 => format == NetCdfFormat.Cdf5;

        /// <summary>numrecs, or -1 for STREAMING (all bits set).</summary>
        public long ReadNumrecs()
        {
            if (Cdf5)
            {
                var n = ReadInt64();
                return n == -1 ? -1 : n;
            }

            var u = ReadUInt32();
            return u == uint.MaxValue ? -1 : u;
        }

        /// <summary>NON_NEG: 32-bit in CDF-1/2, 64-bit in CDF-5.</summary>
        public long ReadCount()
        {
            var n = Cdf5 ? ReadInt64() : ReadUInt32();
            return n >= 0 ? n : throw new InvalidDataException($"'{path}': negative count {n} in the netCDF header.");
        }

        /// <summary>OFFSET: 32-bit in CDF-1, 64-bit in CDF-2 and CDF-5.</summary>
        public long ReadOffset() => format == NetCdfFormat.Classic ? ReadUInt32() : ReadInt64();

        public NetCdfType ReadType()
        {
            var t = ReadUInt32();
            var max = Cdf5 ? (int)NetCdfType.UInt64 : (int)NetCdfType.Double;
            return t is >= 1 && t <= max ? (NetCdfType)t
                : throw new InvalidDataException($"'{path}': nc_type {t} is not a type of the {format} format.");
        }

        public string ReadName()
        {
            var length = ReadCount();
            if (length > 256 * 1024)
            {
                throw new InvalidDataException($"'{path}': a name of {length} bytes in the netCDF header; the header is damaged.");
            }

            return Encoding.UTF8.GetString(ReadPadded(length));
        }

        /// <summary>ABSENT (ZERO ZERO) or tag, nelems, then nelems items.</summary>
        public void ReadList(int tag, string what, Action readItem)
        {
            var t = ReadUInt32();
            var n = ReadCount();
            if (t == 0 && n == 0)
            {
                return;
            }

            if (t != tag)
            {
                throw new InvalidDataException($"'{path}': expected the {what} list (tag {tag}) in the netCDF header, found tag {t}.");
            }

            for (long i = 0; i < n; i++)
            {
                readItem();
            }
        }

        public List<NetCdfAttribute> ReadAttributes()
        {
            var list = new List<NetCdfAttribute>();
            ReadList(NcAttribute, "attribute", () =>
            {
                var name = ReadName();
                var type = ReadType();
                var n = ReadCount();
                var bytes = ReadPadded(n * type.SizeOf());
                list.Add(NetCdfAttribute.FromStored(name, type, type == NetCdfType.Char ? bytes : BigEndian.ToArray(bytes, type)));
            });
            return list;
        }

        private byte[] ReadPadded(long length)
        {
            if (length > int.MaxValue)
            {
                throw new InvalidDataException($"'{path}': an attribute or name of {length} bytes in the netCDF header; the header is damaged.");
            }

            var bytes = new byte[length];
            ReadExactly(stream, bytes, path);
            var pad = (int)(Pad4(length) - length);
            ReadExactly(stream, _buffer.AsSpan(0, pad), path);
            return bytes;
        }

        private uint ReadUInt32()
        {
            ReadExactly(stream, _buffer.AsSpan(0, 4), path);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_buffer);
        }

        private long ReadInt64()
        {
            ReadExactly(stream, _buffer.AsSpan(0, 8), path);
            return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(_buffer);
        }
    }
}

/// <summary>
/// One classic-format variable's values: contiguous at <c>begin</c>, or for a record variable one slab per record at
/// <c>begin + record · recordSize</c>. A hyperslab is read as runs of contiguous values.
/// </summary>
internal sealed class ClassicVariableStorage(
    SafeFileHandle handle, string path, NetCdfType type, long[] shape, bool isRecord, long begin, long recordSize) : IVariableStorage
{
    public Array Read(long[] start, long[] count)
    {
        var rank = shape.Length;
        var total = count.Aggregate(1L, (a, b) => a * b);
        var result = Array.CreateInstance(type.ElementType(), total);
        if (total == 0)
        {
            return result;
        }

        var size = type.SizeOf();
        var first = isRecord ? 1 : 0;

        // Element strides within one variable (record variables: within one record's slab).
        var stride = new long[rank];
        var acc = 1L;
        for (var j = rank - 1; j >= first; j--)
        {
            stride[j] = acc;
            acc *= shape[j];
        }

        // The run: dimensions k..rank-1, where every dimension after k is read whole, are contiguous on disk.
        var k = rank;
        var run = 1L;
        if (rank > first)
        {
            k = rank - 1;
            while (k > first && start[k] == 0 && count[k] == shape[k])
            {
                k--;
            }

            run = count[k] * stride[k];
        }

        var bytes = BigEndian.AsBytes(result);
        var runBytes = (int)(run * size);
        var index = (long[])start.Clone();
        var destination = 0;
        while (true)
        {
            var offset = begin + (isRecord ? index[0] * recordSize : 0);
            for (var j = first; j < rank; j++)
            {
                offset += (j < k ? index[j] : j == k ? start[j] : 0) * stride[j] * size;
            }

            ReadAt(bytes.Slice(destination, runBytes), offset);
            destination += runBytes;

            // Odometer over the dimensions before the run.
            var d = k - 1;
            while (d >= 0 && ++index[d] == start[d] + count[d])
            {
                index[d] = start[d];
                d--;
            }

            if (d < 0)
            {
                break;
            }
        }

        BigEndian.SwapToNative(result);
        return result;
    }

    private void ReadAt(Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0)
            {
                throw new InvalidDataException($"'{path}' ends at byte {offset} inside variable data: the file is truncated.");
            }

            buffer = buffer[n..];
            offset += n;
        }
    }
}
