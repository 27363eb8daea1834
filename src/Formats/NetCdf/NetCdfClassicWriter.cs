using System.Buffers.Binary;
using System.Text;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// Writes a classic netCDF file (CDF-1, CDF-2 or CDF-5) from dimensions, attributes and variables given with their values:
/// big-endian header, the fixed-size variables in definition order, then the records (one slab of each record variable per
/// record), every item padded to 4 bytes (data padding holds the variable's fill value, as the format specification asks).
/// </summary>
/// <example>
/// <code>
/// new NetCdfClassicWriter()
///     .AddDimension("level", 3)
///     .AddVariable("level", ["level"], new[] { 500, 850, 1000 }, [NetCdfAttribute.Text("units", "hPa")])
///     .AddVariable("temperature", ["level"], new[] { 250f, 280f, 290f })
///     .Write("stats.nc");
/// </code>
/// </example>
public sealed class NetCdfClassicWriter
{
    private readonly List<NetCdfDimension> _dimensions = [];
    private readonly List<NetCdfAttribute> _attributes = [];
    private readonly List<Definition> _variables = [];

    public NetCdfClassicWriter(NetCdfFormat format = NetCdfFormat.Classic)
    {
        if (format == NetCdfFormat.NetCdf4)
        {
            throw new ArgumentException("NetCdfClassicWriter writes the classic formats (Classic, Offset64, Cdf5), not netCDF-4.", nameof(format));
        }

        Format = format;
    }

    public NetCdfFormat Format { get; }

    /// <summary>
    /// Adds a dimension. An unlimited (record) dimension — at most one — has <paramref name="length"/> records, and only a
    /// variable's first dimension may be unlimited.
    /// </summary>
    public NetCdfClassicWriter AddDimension(string name, long length, bool isUnlimited = false)
    {
        CheckName(name, "dimension");
        if (_dimensions.Any(d => d.Name == name))
        {
            throw new ArgumentException($"Dimension '{name}' is already defined.");
        }

        if (length < 0 || (length == 0 && !isUnlimited))
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Dimension '{name}' needs a positive length, not {length} (only an unlimited dimension may have 0 records).");
        }

        if (isUnlimited && _dimensions.Any(d => d.IsUnlimited))
        {
            throw new ArgumentException($"Dimension '{name}' cannot be unlimited: '{_dimensions.First(d => d.IsUnlimited).Name}' already is, and the classic formats allow one.");
        }

        _dimensions.Add(new NetCdfDimension(name, length, isUnlimited));
        return this;
    }

    /// <summary>Adds a global attribute: a string, a number, or an array of numbers (see <see cref="NetCdfAttribute.Create"/>).</summary>
    public NetCdfClassicWriter AddAttribute(string name, object value) => AddAttribute(NetCdfAttribute.Create(name, value));

    public NetCdfClassicWriter AddAttribute(NetCdfAttribute attribute)
    {
        CheckAttribute(attribute, "the global attributes");
        if (_attributes.Any(a => a.Name == attribute.Name))
        {
            throw new ArgumentException($"Global attribute '{attribute.Name}' is already defined.");
        }

        _attributes.Add(attribute);
        return this;
    }

    /// <summary>
    /// Adds a variable over <paramref name="dimensions"/> (outermost first; none for a scalar) with its values in C order.
    /// The element type of <paramref name="data"/> gives the netCDF type: sbyte → byte, char → char, short, int, float,
    /// double; in CDF-5 also byte → ubyte, ushort, uint, long → int64, ulong → uint64.
    /// </summary>
    public NetCdfClassicWriter AddVariable(string name, IReadOnlyList<string> dimensions, Array data, IEnumerable<NetCdfAttribute>? attributes = null)
    {
        CheckName(name, "variable");
        if (_variables.Any(v => v.Name == name))
        {
            throw new ArgumentException($"Variable '{name}' is already defined.");
        }

        var type = NetCdfTypes.FromElementType(data.GetType().GetElementType()!);
        if (type == NetCdfType.String || (!type.IsClassic() && Format != NetCdfFormat.Cdf5))
        {
            throw new ArgumentException(
                $"Variable '{name}' holds {type.CdlName()} values, which the {Format} format cannot store; use a classic type (byte, char, short, int, float, double) or NetCdfFormat.Cdf5.");
        }

        var dimIds = new int[dimensions.Count];
        for (var i = 0; i < dimIds.Length; i++)
        {
            dimIds[i] = _dimensions.FindIndex(d => d.Name == dimensions[i]);
            if (dimIds[i] < 0)
            {
                throw new ArgumentException($"Variable '{name}' uses dimension '{dimensions[i]}', which is not defined; add it first with AddDimension.");
            }

            if (i > 0 && _dimensions[dimIds[i]].IsUnlimited)
            {
                throw new ArgumentException($"Variable '{name}': the unlimited dimension '{dimensions[i]}' must be its first dimension.");
            }
        }

        var expected = dimIds.Aggregate(1L, (a, id) => a * _dimensions[id].Length);
        if (data.Rank != 1 || data.LongLength != expected)
        {
            throw new ArgumentException(
                $"Variable '{name}'({string.Join(", ", dimensions)}) needs {expected} values in a flat array; {data.LongLength} were given.");
        }

        var list = (attributes ?? []).ToList();
        foreach (var a in list)
        {
            CheckAttribute(a, $"variable '{name}'");
        }

        if (list.Select(a => a.Name).Distinct().Count() != list.Count)
        {
            throw new ArgumentException($"Variable '{name}' has two attributes of one name.");
        }

        var stored = type == NetCdfType.Char ? Latin1((char[])data, name) : data;
        _variables.Add(new Definition(name, type, dimIds, list, stored));
        return this;
    }

    /// <summary>Writes the file: to a temporary name beside <paramref name="path"/>, then renamed over it.</summary>
    public void Write(string path)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public void Write(Stream stream)
    {
        var layout = Layout(HeaderBytes(new long[_variables.Count]).Length);
        stream.Write(HeaderBytes(layout.Begins));

        foreach (var (v, i) in _variables.Select((v, i) => (v, i)).Where(x => !IsRecord(x.v)))
        {
            WriteValues(stream, v, 0, v.Data.LongLength);
            WritePadding(stream, v, SlabBytes(v), layout.VSizes[i]);
        }

        var records = _variables.Where(IsRecord).ToList();
        var numrecs = _dimensions.FirstOrDefault(d => d.IsUnlimited)?.Length ?? 0;
        for (long r = 0; r < numrecs; r++)
        {
            foreach (var v in records)
            {
                var slab = v.Data.LongLength / numrecs;
                WriteValues(stream, v, r * slab, slab);
                if (records.Count > 1)
                {
                    WritePadding(stream, v, SlabBytes(v), Pad4(SlabBytes(v)));
                }
            }
        }
    }

    private (long[] Begins, long[] VSizes) Layout(long headerSize)
    {
        var begins = new long[_variables.Count];
        var vsizes = _variables.Select(v => Pad4(SlabBytes(v))).ToArray();
        var offset = headerSize;
        for (var i = 0; i < _variables.Count; i++)
        {
            if (!IsRecord(_variables[i]))
            {
                begins[i] = offset;
                offset += vsizes[i];
            }
        }

        for (var i = 0; i < _variables.Count; i++)
        {
            if (IsRecord(_variables[i]))
            {
                begins[i] = offset;
                offset += vsizes[i];
            }
        }

        if (Format == NetCdfFormat.Classic && begins.Any(b => b > int.MaxValue))
        {
            throw new InvalidOperationException("The data passes 2 GiB, beyond the 32-bit offsets of the Classic format; write NetCdfFormat.Offset64 instead.");
        }

        return (begins, vsizes);
    }

    private byte[] HeaderBytes(long[] begins)
    {
        var header = new HeaderWriter(Format);
        header.Bytes("CDF"u8);
        header.Bytes([Format switch { NetCdfFormat.Classic => 1, NetCdfFormat.Offset64 => 2, _ => 5 }]);
        header.Count(_dimensions.FirstOrDefault(d => d.IsUnlimited)?.Length ?? 0);

        header.ListStart(ClassicFormatReader.NcDimension, _dimensions.Count);
        foreach (var d in _dimensions)
        {
            header.Name(d.Name);
            header.Count(d.IsUnlimited ? 0 : d.Length);
        }

        header.Attributes(_attributes);
        header.ListStart(ClassicFormatReader.NcVariable, _variables.Count);
        for (var i = 0; i < _variables.Count; i++)
        {
            var v = _variables[i];
            header.Name(v.Name);
            header.Count(v.DimIds.Length);
            foreach (var id in v.DimIds)
            {
                header.Count(id);
            }

            header.Attributes(v.Attributes);
            header.Int32((int)v.Type);

            // vsize saturates at 2^32 - 1 in CDF-1/2; readers recompute it from the shape.
            var vsize = Pad4(SlabBytes(v));
            header.Count(Format == NetCdfFormat.Cdf5 ? vsize : Math.Min(vsize, uint.MaxValue));
            header.Offset(begins[i]);
        }

        return header.ToArray();
    }

    private bool IsRecord(Definition v) => v.DimIds.Length > 0 && _dimensions[v.DimIds[0]].IsUnlimited;

    /// <summary>Bytes of the variable, or of one record of it.</summary>
    private long SlabBytes(Definition v) =>
        v.DimIds.Skip(IsRecord(v) ? 1 : 0).Aggregate((long)v.Type.SizeOf(), (a, id) => a * _dimensions[id].Length);

    private static long Pad4(long bytes) => ClassicFormatReader.Pad4(bytes);

    private static void WriteValues(Stream stream, Definition v, long offset, long count)
    {
        // Copy in blocks so a large variable is not duplicated whole to swap its byte order.
        const int Block = 1 << 18;
        var buffer = Array.CreateInstance(v.Data.GetType().GetElementType()!, (int)Math.Min(Block, Math.Max(count, 1)));
        for (var done = 0L; done < count;)
        {
            var n = (int)Math.Min(buffer.Length, count - done);
            Array.Copy(v.Data, offset + done, buffer, 0, n);
            BigEndian.SwapToNative(buffer);
            var bytes = BigEndian.AsBytes(buffer);
            stream.Write(bytes[..(bytes.Length / buffer.Length * n)]);
            done += n;
        }
    }

    /// <summary>Pads from <paramref name="written"/> to <paramref name="padded"/> bytes with the variable's fill value.</summary>
    private static void WritePadding(Stream stream, Definition v, long written, long padded)
    {
        var pad = (int)(padded - written);
        if (pad == 0)
        {
            return;
        }

        var fill = v.Attributes.FirstOrDefault(a => a.Name == "_FillValue" && a.Type == v.Type && a.Count == 1)?.GetDouble() ?? v.Type.DefaultFill();
        Span<byte> pattern = stackalloc byte[8];
        var size = v.Type.SizeOf();
        switch (v.Type)
        {
            case NetCdfType.Byte:
                pattern[0] = (byte)(sbyte)fill;
                break;
            case NetCdfType.Char or NetCdfType.UByte:
                pattern[0] = (byte)fill;
                break;
            case NetCdfType.Short:
                BinaryPrimitives.WriteInt16BigEndian(pattern, (short)fill);
                break;
            case NetCdfType.UShort:
                BinaryPrimitives.WriteUInt16BigEndian(pattern, (ushort)fill);
                break;
        }

        Span<byte> padding = stackalloc byte[pad];
        for (var i = 0; i < pad; i++)
        {
            padding[i] = pattern[i % size];
        }

        stream.Write(padding);
    }

    private void CheckAttribute(NetCdfAttribute attribute, string owner)
    {
        if (attribute.Type == NetCdfType.String || (!attribute.Type.IsClassic() && Format != NetCdfFormat.Cdf5))
        {
            throw new ArgumentException(
                $"Attribute '{attribute.Name}' of {owner} holds {attribute.Type.CdlName()} values, which the {Format} format cannot store; use text or a classic number type.");
        }
    }

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Any(char.IsControl))
        {
            throw new ArgumentException($"'{name}' is not a valid netCDF {what} name: it must be non-empty, without '/' or control characters.");
        }
    }

    private static byte[] Latin1(char[] chars, string variable)
    {
        var bytes = new byte[chars.Length];
        for (var i = 0; i < chars.Length; i++)
        {
            bytes[i] = chars[i] <= 0xFF ? (byte)chars[i]
                : throw new ArgumentException($"Variable '{variable}' holds the character U+{(int)chars[i]:X4} at index {i}; netCDF char values are single bytes.");
        }

        return bytes;
    }

    private sealed record Definition(string Name, NetCdfType Type, int[] DimIds, List<NetCdfAttribute> Attributes, Array Data);

    /// <summary>The header's big-endian fields, 32-bit or (CDF-5) 64-bit counts, 32-bit (CDF-1) or 64-bit offsets.</summary>
    private sealed class HeaderWriter(NetCdfFormat format)
    {
        private readonly MemoryStream _stream = new();

        public void Bytes(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

        public void Int32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            _stream.Write(b);
        }

        public void Count(long value)
        {
            if (format == NetCdfFormat.Cdf5)
            {
                Int64(value);
            }
            else
            {
                Span<byte> b = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(b, checked((uint)value));
                _stream.Write(b);
            }
        }

        public void Offset(long value)
        {
            if (format == NetCdfFormat.Classic)
            {
                Int32(checked((int)value));
            }
            else
            {
                Int64(value);
            }
        }

        public void ListStart(int tag, int count)
        {
            // An empty list is ABSENT: ZERO ZERO.
            Int32(count == 0 ? 0 : tag);
            Count(count);
        }

        public void Name(string name) => Padded(Encoding.UTF8.GetBytes(name), withLength: true);

        public void Attributes(IReadOnlyList<NetCdfAttribute> attributes)
        {
            ListStart(ClassicFormatReader.NcAttribute, attributes.Count);
            foreach (var a in attributes)
            {
                Name(a.Name);
                Int32((int)a.Type);
                Count(a.Count);
                var values = (Array)a.Values.Clone();
                BigEndian.SwapToNative(values);
                Padded(BigEndian.AsBytes(values), withLength: false);
            }
        }

        public byte[] ToArray() => _stream.ToArray();

        private void Padded(ReadOnlySpan<byte> bytes, bool withLength)
        {
            if (withLength)
            {
                Count(bytes.Length);
            }

            _stream.Write(bytes);
            _stream.Write(new byte[Pad4(bytes.Length) - bytes.Length]);
        }

        private void Int64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, value);
            _stream.Write(b);
        }
    }
}
