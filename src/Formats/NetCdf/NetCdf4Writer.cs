using System.Buffers.Binary;
using System.Text;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// Writes a netCDF-4 file: HDF5 laid out the way the netCDF-C library reads it (dimension scales with <c>CLASS</c>,
/// <c>NAME</c>, <c>_Netcdf4Dimid</c> and <c>REFERENCE_LIST</c>; variables with <c>DIMENSION_LIST</c>), every dimension
/// with its coordinate variable, contiguous little-endian data streamed variable by variable.
/// </summary>
/// <remarks>
/// <para>
/// A small HDF5 writer of its own: PureHDF 2.2.0 (which the reader uses) writes HDF5, but gives every string attribute of a
/// file one fixed width, and HDF5's dimension-scale test (H5DSis_scale, which netCDF-C calls) accepts only a 16-byte
/// <c>CLASS</c>; it also cannot write the reference cycle of DIMENSION_LIST and REFERENCE_LIST. The subset written here is
/// the HDF5 1.10 file format's: superblock version 2, version-2 object headers (lookup3 checksums), compact links in the
/// root group, datatype messages for IEEE floats, two's-complement integers, fixed-length strings, object references,
/// variable-length sequences and a compound; one global heap collection holding the DIMENSION_LIST sequences.
/// </para>
/// <para>
/// Text attributes are fixed-length strings (netCDF's NC_CHAR); numeric attributes one-dimensional. Data comes from a
/// callback per variable that writes exactly its bytes (C order, little-endian), so a large forecast never has to be in
/// memory at once.
/// </para>
/// </remarks>
public sealed class NetCdf4Writer
{
    private const ulong Undefined = ulong.MaxValue;
    private const int SuperblockSize = 48;
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    private readonly List<(string Name, long Length)> _dimensions = [];
    private readonly List<NetCdfAttribute> _attributes = [];
    private readonly List<Variable> _variables = [];

    /// <summary>Adds a dimension; it needs a coordinate variable of the same name (one dimension, itself).</summary>
    public NetCdf4Writer AddDimension(string name, long length)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (_dimensions.Any(d => d.Name == name))
        {
            throw new ArgumentException($"Dimension '{name}' is defined twice.", nameof(name));
        }

        _dimensions.Add((name, length));
        return this;
    }

    public NetCdf4Writer AddAttribute(NetCdfAttribute attribute)
    {
        _attributes.Add(attribute);
        return this;
    }

    /// <summary>Adds a variable whose values <paramref name="writeData"/> writes (C order, little-endian, exactly its size).</summary>
    public NetCdf4Writer AddVariable(
        string name, NetCdfType type, IReadOnlyList<string> dimensions, IEnumerable<NetCdfAttribute> attributes, Func<Stream, CancellationToken, Task> writeData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (type is not (NetCdfType.Float or NetCdfType.Double or NetCdfType.Int or NetCdfType.Int64 or NetCdfType.Short or NetCdfType.Byte))
        {
            throw new ArgumentException($"Variable '{name}': type {type} is not written by this writer (float, double, int, int64, short, byte are).", nameof(type));
        }

        if (_variables.Any(v => v.Name == name))
        {
            throw new ArgumentException($"Variable '{name}' is defined twice.", nameof(name));
        }

        var dims = dimensions.Select(d => _dimensions.FindIndex(x => x.Name == d) is var i and >= 0 ? i
            : throw new ArgumentException($"Variable '{name}' uses dimension '{d}', which is not defined (add it first).", nameof(dimensions))).ToArray();
        _variables.Add(new Variable(name, type, dims, [.. attributes], writeData));
        return this;
    }

    /// <summary>Adds a variable with its values in memory (a one-dimensional array of the type's element type, C order).</summary>
    public NetCdf4Writer AddVariable(string name, IReadOnlyList<string> dimensions, Array data, IEnumerable<NetCdfAttribute>? attributes = null)
    {
        var type = NetCdfTypes.FromElementType(data.GetType().GetElementType()!);
        var bytes = LittleEndian(type, data);
        return AddVariable(name, type, dimensions, attributes ?? [], (stream, ct) => stream.WriteAsync(bytes, ct).AsTask());
    }

    /// <summary>Writes the file (replacing <paramref name="path"/> only once it is complete).</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        var temporary = path + ".partial";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            {
                await WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes the file to <paramref name="stream"/>, which must start empty at position 0.</summary>
    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var scales = new int[_dimensions.Count];
        for (var d = 0; d < _dimensions.Count; d++)
        {
            var (name, length) = _dimensions[d];
            scales[d] = _variables.FindIndex(v => v.Name == name);
            if (scales[d] < 0 || _variables[scales[d]].Dimensions is not [var only] || only != d)
            {
                throw new InvalidOperationException($"Dimension '{name}' needs a coordinate variable '{name}({name})' ({length} values).");
            }
        }

        // Pass 1 sizes everything (addresses do not change sizes), pass 2 writes with the addresses pass 1 gave.
        var layout = Layout(scales, new Addresses(new ulong[_variables.Count], 0, new ulong[_variables.Count]));
        var headerAddresses = new ulong[_variables.Count];
        var address = (ulong)(SuperblockSize + layout.Root.Length);
        for (var v = 0; v < _variables.Count; v++)
        {
            headerAddresses[v] = address;
            address += (ulong)layout.Headers[v].Length;
        }

        var heapAddress = address;
        address += (ulong)layout.Heap.Length;
        var dataAddresses = new ulong[_variables.Count];
        for (var v = 0; v < _variables.Count; v++)
        {
            address = (address + 7) & ~7UL;
            dataAddresses[v] = address;
            address += (ulong)DataSize(_variables[v]);
        }

        var final = Layout(scales, new Addresses(headerAddresses, heapAddress, dataAddresses));
        var superblock = new byte[SuperblockSize];
        Signature.CopyTo(superblock, 0);
        superblock[8] = 2; // version
        superblock[9] = 8; // size of offsets
        superblock[10] = 8; // size of lengths
        BinaryPrimitives.WriteUInt64LittleEndian(superblock.AsSpan(12), 0); // base address
        BinaryPrimitives.WriteUInt64LittleEndian(superblock.AsSpan(20), Undefined); // no superblock extension
        BinaryPrimitives.WriteUInt64LittleEndian(superblock.AsSpan(28), address); // end of file
        BinaryPrimitives.WriteUInt64LittleEndian(superblock.AsSpan(36), SuperblockSize); // root group object header
        BinaryPrimitives.WriteUInt32LittleEndian(superblock.AsSpan(44), Lookup3.Hash(superblock.AsSpan(0, 44)));

        await stream.WriteAsync(superblock, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(final.Root, cancellationToken).ConfigureAwait(false);
        foreach (var header in final.Headers)
        {
            await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        }

        await stream.WriteAsync(final.Heap, cancellationToken).ConfigureAwait(false);
        var position = heapAddress + (ulong)final.Heap.Length;
        for (var v = 0; v < _variables.Count; v++)
        {
            await stream.WriteAsync(new byte[dataAddresses[v] - position], cancellationToken).ConfigureAwait(false);
            var before = stream.Position;
            await _variables[v].WriteData(stream, cancellationToken).ConfigureAwait(false);
            var written = stream.Position - before;
            if (written != DataSize(_variables[v]))
            {
                throw new InvalidOperationException($"Variable '{_variables[v].Name}' wrote {written} bytes; its shape needs {DataSize(_variables[v])}.");
            }

            position = dataAddresses[v] + (ulong)written;
        }
    }

    private long DataSize(Variable variable) =>
        variable.Dimensions.Aggregate((long)variable.Type.SizeOf(), (size, d) => size * _dimensions[d].Length);

    private (byte[] Root, byte[][] Headers, byte[] Heap) Layout(int[] scales, Addresses at)
    {
        // The global heap: one object per (variable, axis) holding the address of that axis's dimension scale.
        var heapObjects = new List<byte[]>();
        var dimensionLists = new Dictionary<int, byte[]>();
        for (var v = 0; v < _variables.Count; v++)
        {
            var variable = _variables[v];
            if (scales.Contains(v))
            {
                continue;
            }

            var list = new byte[variable.Dimensions.Length * 16];
            for (var axis = 0; axis < variable.Dimensions.Length; axis++)
            {
                heapObjects.Add(UInt64(at.Headers[scales[variable.Dimensions[axis]]]));
                BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan(axis * 16), 1); // sequence length
                BinaryPrimitives.WriteUInt64LittleEndian(list.AsSpan((axis * 16) + 4), at.Heap);
                BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan((axis * 16) + 12), (uint)heapObjects.Count);
            }

            dimensionLists[v] = list;
        }

        var headers = new byte[_variables.Count][];
        for (var v = 0; v < _variables.Count; v++)
        {
            var variable = _variables[v];
            var messages = new List<(byte Type, byte[] Body)>
            {
                (0x01, Dataspace([.. variable.Dimensions.Select(d => _dimensions[d].Length)])),
                (0x03, Datatype(variable.Type)),
                // Fill value message v3: allocation early, write "if set", no fill value defined.
                (0x05, [3, 0x01 | (2 << 2)]),
                (0x08, [3, 1, .. UInt64(at.Data[v]), .. UInt64((ulong)DataSize(variable))]),
            };
            var dimension = Array.IndexOf(scales, v);
            if (dimension >= 0)
            {
                messages.Add((0x0C, Attribute("CLASS", TerminatedString("DIMENSION_SCALE"))));
                messages.Add((0x0C, Attribute("NAME", TerminatedString(variable.Name))));
                messages.Add((0x0C, Attribute("_Netcdf4Dimid", Datatype(NetCdfType.Int), Scalar(), Int32(dimension))));
                var users = _variables.Select((u, i) => (u, i)).Where(x => !scales.Contains(x.i))
                    .SelectMany(x => x.u.Dimensions.Select((d, axis) => (Variable: x.i, d, Axis: axis))).Where(x => x.d == dimension).ToArray();
                if (users.Length > 0)
                {
                    // REFERENCE_LIST: compound {dataset: object reference, dimension: int32}, 16 bytes as HDF5's native struct.
                    var data = new byte[users.Length * 16];
                    for (var k = 0; k < users.Length; k++)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(k * 16), at.Headers[users[k].Variable]);
                        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan((k * 16) + 8), users[k].Axis);
                    }

                    messages.Add((0x0C, Attribute("REFERENCE_LIST", ReferenceListType(), Dataspace([users.Length]), data)));
                }
            }

            if (dimensionLists.TryGetValue(v, out var dimensionList))
            {
                // DIMENSION_LIST: per axis a variable-length sequence of object references (one each), held in the global heap.
                byte[] vlen = [0x19, 0, 0, 0, .. UInt32(16), .. ObjectReferenceType()];
                messages.Add((0x0C, Attribute("DIMENSION_LIST", vlen, Dataspace([variable.Dimensions.Length]), dimensionList)));
            }

            messages.AddRange(variable.Attributes.Select(a => ((byte)0x0C, Attribute(a))));
            headers[v] = ObjectHeader(messages, $"variable '{variable.Name}'");
        }

        var root = new List<(byte Type, byte[] Body)>
        {
            // Link info v0: no creation order, links stored compactly in this header (no fractal heap, no name index).
            (0x02, [0, 0, .. UInt64(Undefined), .. UInt64(Undefined)]),
            (0x0A, [0, 0]),
        };
        for (var v = 0; v < _variables.Count; v++)
        {
            var name = Encoding.UTF8.GetBytes(_variables[v].Name);
            if (name.Length > 255)
            {
                throw new ArgumentException($"Variable name '{_variables[v].Name}' is longer than 255 bytes.");
            }

            // Link v1, flags 0x10: the name's character set follows (UTF-8); hard link to the variable's object header.
            root.Add((0x06, [1, 0x10, 1, (byte)name.Length, .. name, .. UInt64(at.Headers[v])]));
        }

        root.AddRange(_attributes.Select(a => ((byte)0x0C, Attribute(a))));
        return (ObjectHeader(root, "root group"), headers, GlobalHeap(heapObjects));
    }

    /// <summary>A version-2 object header (signature, flags, 4-byte chunk size, messages, lookup3 checksum).</summary>
    private static byte[] ObjectHeader(List<(byte Type, byte[] Body)> messages, string what)
    {
        var chunk = new MemoryStream();
        foreach (var (type, body) in messages)
        {
            if (body.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"An attribute or message of the {what} is {body.Length} bytes; an HDF5 header message holds at most {ushort.MaxValue}.");
            }

            chunk.WriteByte(type);
            chunk.Write(UInt16((ushort)body.Length));
            chunk.WriteByte(0); // message flags
            chunk.Write(body);
        }

        byte[] header = [(byte)'O', (byte)'H', (byte)'D', (byte)'R', 2, 0x02, .. UInt32((uint)chunk.Length), .. chunk.ToArray()];
        return [.. header, .. UInt32(Lookup3.Hash(header))];
    }

    /// <summary>A global heap collection ("GCOL", at least 4 KiB as HDF5 reads it) holding <paramref name="objects"/> as objects 1, 2, ….</summary>
    private static byte[] GlobalHeap(List<byte[]> objects)
    {
        if (objects.Count == 0)
        {
            return [];
        }

        var used = 16 + objects.Sum(o => 16 + ((o.Length + 7) & ~7));
        var size = Math.Max(4096, (used + 16 + 4095) & ~4095);
        var heap = new byte[size];
        "GCOL"u8.CopyTo(heap);
        heap[4] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(heap.AsSpan(8), (ulong)size);
        var offset = 16;
        for (var i = 0; i < objects.Count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(heap.AsSpan(offset), (ushort)(i + 1));
            BinaryPrimitives.WriteUInt16LittleEndian(heap.AsSpan(offset + 2), 1); // reference count
            BinaryPrimitives.WriteUInt64LittleEndian(heap.AsSpan(offset + 8), (ulong)objects[i].Length);
            objects[i].CopyTo(heap, offset + 16);
            offset += 16 + ((objects[i].Length + 7) & ~7);
        }

        // Object 0 is the free space that fills the rest of the collection.
        BinaryPrimitives.WriteUInt64LittleEndian(heap.AsSpan(offset + 8), (ulong)(size - offset));
        return heap;
    }

    private static byte[] Attribute(NetCdfAttribute attribute) => attribute.Type switch
    {
        NetCdfType.Char => Attribute(attribute.Name, FixedString((byte[])attribute.Values)),
        NetCdfType.String => Attribute(attribute.Name, FixedString(Encoding.UTF8.GetBytes(attribute.GetText()))),
        _ => Attribute(attribute.Name, Datatype(attribute.Type), Dataspace([attribute.Count]), LittleEndian(attribute.Type, attribute.Values)),
    };

    private static byte[] Attribute(string name, (byte[] Type, byte[] Data) text) => Attribute(name, text.Type, Scalar(), text.Data);

    /// <summary>An attribute message v3: name (NUL-terminated, UTF-8), datatype, dataspace and data.</summary>
    private static byte[] Attribute(string name, byte[] datatype, byte[] dataspace, byte[] data)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        return [3, 0, .. UInt16((ushort)(bytes.Length + 1)), .. UInt16((ushort)datatype.Length), .. UInt16((ushort)dataspace.Length), 1, .. bytes, 0, .. datatype, .. dataspace, .. data];
    }

    /// <summary>A string the way HDF5's own H5LT/H5DS helpers write it: the bytes and a NUL, null-terminated padding.</summary>
    private static (byte[] Type, byte[] Data) TerminatedString(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return FixedString([.. bytes, 0]);
    }

    /// <summary>A fixed-length string datatype of the data's length (at least 1), null-terminated padding, ASCII or UTF-8.</summary>
    private static (byte[] Type, byte[] Data) FixedString(byte[] data)
    {
        if (data.Length == 0)
        {
            data = [0];
        }

        byte charset = data.Any(b => b >= 0x80) ? (byte)0x10 : (byte)0;
        return ([0x13, charset, 0, 0, .. UInt32((uint)data.Length)], data);
    }

    private static byte[] Scalar() => [2, 0, 0, 0];

    /// <summary>A dataspace message v2: simple, with the current sizes (maximum sizes equal them).</summary>
    private static byte[] Dataspace(long[] sizes) => sizes.Length == 0 ? Scalar() : [2, (byte)sizes.Length, 0, 1, .. sizes.SelectMany(s => UInt64((ulong)s))];

    private static byte[] ObjectReferenceType() => [0x17, 0, 0, 0, .. UInt32(8)];

    private static byte[] ReferenceListType()
    {
        // Compound v3: member names NUL-terminated without padding, 1-byte offsets (the compound is 16 bytes).
        byte[] dataset = [.. "dataset"u8, 0, 0, .. ObjectReferenceType()];
        byte[] dimension = [.. "dimension"u8, 0, 8, .. Datatype(NetCdfType.Int)];
        return [0x36, 2, 0, 0, .. UInt32(16), .. dataset, .. dimension];
    }

    /// <summary>The datatype message of a numeric netCDF type (little-endian).</summary>
    private static byte[] Datatype(NetCdfType type) => type switch
    {
        // Floating point v1: bit field (implied leading mantissa bit, sign at the top bit), then offset, precision,
        // exponent location and size, mantissa location and size, and exponent bias.
        NetCdfType.Float => [0x11, 0x20, 31, 0, .. UInt32(4), .. UInt16(0), .. UInt16(32), 23, 8, 0, 23, .. UInt32(127)],
        NetCdfType.Double => [0x11, 0x20, 63, 0, .. UInt32(8), .. UInt16(0), .. UInt16(64), 52, 11, 0, 52, .. UInt32(1023)],
        // Fixed point v1: bit 3 of the first bit-field byte marks a signed integer.
        NetCdfType.Byte => Integer(1, signed: true),
        NetCdfType.Short => Integer(2, signed: true),
        NetCdfType.Int => Integer(4, signed: true),
        NetCdfType.Int64 => Integer(8, signed: true),
        NetCdfType.UByte => Integer(1, signed: false),
        NetCdfType.UShort => Integer(2, signed: false),
        NetCdfType.UInt => Integer(4, signed: false),
        NetCdfType.UInt64 => Integer(8, signed: false),
        _ => throw new ArgumentException($"Type {type} has no numeric HDF5 datatype here.", nameof(type)),
    };

    private static byte[] Integer(int size, bool signed) =>
        [0x10, signed ? (byte)0x08 : (byte)0, 0, 0, .. UInt32((uint)size), .. UInt16(0), .. UInt16((ushort)(8 * size))];

    private static byte[] LittleEndian(NetCdfType type, Array values)
    {
        var size = type.SizeOf();
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var span = bytes.AsSpan(i * size);
            switch (values.GetValue(i))
            {
                case float f: BinaryPrimitives.WriteSingleLittleEndian(span, f); break;
                case double d: BinaryPrimitives.WriteDoubleLittleEndian(span, d); break;
                case sbyte b: span[0] = (byte)b; break;
                case byte b: span[0] = b; break;
                case short s: BinaryPrimitives.WriteInt16LittleEndian(span, s); break;
                case ushort s: BinaryPrimitives.WriteUInt16LittleEndian(span, s); break;
                case int n: BinaryPrimitives.WriteInt32LittleEndian(span, n); break;
                case uint n: BinaryPrimitives.WriteUInt32LittleEndian(span, n); break;
                case long n: BinaryPrimitives.WriteInt64LittleEndian(span, n); break;
                case ulong n: BinaryPrimitives.WriteUInt64LittleEndian(span, n); break;
                default: throw new ArgumentException($"Values of {values.GetType()} cannot be written as {type}.", nameof(values));
            }
        }

        return bytes;
    }

    private static byte[] UInt16(ushort value) => [(byte)value, (byte)(value >> 8)];

    private static byte[] UInt32(uint value) => BitConverter.IsLittleEndian ? BitConverter.GetBytes(value) : [.. BitConverter.GetBytes(value).Reverse()];

    private static byte[] UInt64(ulong value) => BitConverter.IsLittleEndian ? BitConverter.GetBytes(value) : [.. BitConverter.GetBytes(value).Reverse()];

    private static byte[] Int32(int value) => UInt32((uint)value);

    private sealed record Variable(string Name, NetCdfType Type, int[] Dimensions, NetCdfAttribute[] Attributes, Func<Stream, CancellationToken, Task> WriteData);

    private sealed record Addresses(ulong[] Headers, ulong Heap, ulong[] Data);
}
