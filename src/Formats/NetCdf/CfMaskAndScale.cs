using System.Runtime.InteropServices;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// The CF / netCDF User Guide decoding of stored values (xarray's <c>mask_and_scale</c>): values equal to <c>_FillValue</c>
/// or <c>missing_value</c> become NaN, then <c>value · scale_factor + add_offset</c>; <c>_Unsigned = "true"</c> reads
/// signed integers as unsigned (the netCDF-3 convention for unsigned data).
/// </summary>
internal sealed class CfMaskAndScale
{
    private readonly double[] _missing;
    private readonly NetCdfType _storedType;

    public CfMaskAndScale(NetCdfVariable variable)
    {
        var attributes = variable.Attributes;
        _storedType = variable.Type;
        Unsigned = variable.Type is NetCdfType.Byte or NetCdfType.Short or NetCdfType.Int &&
            attributes.TryGetValue("_Unsigned", out var u) && u.IsText && u.GetText().Equals("true", StringComparison.OrdinalIgnoreCase);
        ScaleFactor = Single(variable, "scale_factor");
        AddOffset = Single(variable, "add_offset");

        // Missing values are given in the stored (packed) type; compare them as the stored type would hold them.
        var missing = new List<double>();
        foreach (var name in new[] { "_FillValue", "missing_value" })
        {
            if (attributes.TryGetValue(name, out var a) && !a.IsText)
            {
                missing.AddRange(a.GetDoubles().Select(StoredValue));
            }
        }

        _missing = missing.Distinct().ToArray();
    }

    public bool Unsigned { get; }

    public double? ScaleFactor { get; }

    public double? AddOffset { get; }

    public bool IsPacked => ScaleFactor is not null || AddOffset is not null;

    /// <summary>Decodes <paramref name="raw"/> (stored values) into float64: missing → NaN, then unpacked.</summary>
    public double[] ToDouble(Array raw)
    {
        var result = new double[raw.Length];
        ConvertToDouble(raw, result);
        Decode(result);
        return result;
    }

    /// <summary>Decodes <paramref name="raw"/> into float32; float32 data that is not packed is masked in place, without a copy.</summary>
    public float[] ToFloat(Array raw)
    {
        if (raw.GetType() == typeof(float[]) && !IsPacked)
        {
            var floats = (float[])raw;
            if (_missing.Length > 0)
            {
                var missing = _missing.Select(m => (float)m).ToArray();
                for (var i = 0; i < floats.Length; i++)
                {
                    if (Array.IndexOf(missing, floats[i]) >= 0)
                    {
                        floats[i] = float.NaN;
                    }
                }
            }

            return floats;
        }

        var d = ToDouble(raw);
        var result = new float[d.Length];
        for (var i = 0; i < d.Length; i++)
        {
            result[i] = (float)d[i];
        }

        return result;
    }

    /// <summary>Integers as stored (with <c>_Unsigned</c> applied), without masking or packing.</summary>
    public long[] ToLong(Array raw, string variable)
    {
        // Switch on the element type, not with `is`: the runtime treats int[] and uint[] (and the other signed/unsigned
        // pairs) as the same array type in type tests.
        var result = new long[raw.Length];
        switch (Type.GetTypeCode(raw.GetType().GetElementType()))
        {
            case TypeCode.SByte when Unsigned:
            case TypeCode.Byte:
                Widen<byte>(BigEndian.AsBytes(raw), result);
                break;
            case TypeCode.SByte:
                Widen(MemoryMarshal.Cast<byte, sbyte>(BigEndian.AsBytes(raw)), result);
                break;
            case TypeCode.Int16 when Unsigned:
            case TypeCode.UInt16:
                Widen(MemoryMarshal.Cast<byte, ushort>(BigEndian.AsBytes(raw)), result);
                break;
            case TypeCode.Int16:
                Widen(MemoryMarshal.Cast<byte, short>(BigEndian.AsBytes(raw)), result);
                break;
            case TypeCode.Int32 when Unsigned:
            case TypeCode.UInt32:
                Widen(MemoryMarshal.Cast<byte, uint>(BigEndian.AsBytes(raw)), result);
                break;
            case TypeCode.Int32:
                Widen(MemoryMarshal.Cast<byte, int>(BigEndian.AsBytes(raw)), result);
                break;
            case TypeCode.Int64:
                MemoryMarshal.Cast<byte, long>(BigEndian.AsBytes(raw)).CopyTo(result);
                break;
            case TypeCode.UInt64:
                var u = MemoryMarshal.Cast<byte, ulong>(BigEndian.AsBytes(raw));
                for (var i = 0; i < u.Length; i++)
                {
                    result[i] = u[i] <= long.MaxValue ? (long)u[i]
                        : throw new OverflowException($"Variable '{variable}' holds {u[i]} at flat index {i}, beyond the range of a 64-bit signed integer.");
                }

                break;
            default:
                throw new InvalidOperationException($"Variable '{variable}' holds {raw.GetType().GetElementType()!.Name} values, not integers.");
        }

        return result;
    }

    private void Decode(double[] values)
    {
        if (_missing.Length > 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (Array.IndexOf(_missing, values[i]) >= 0)
                {
                    values[i] = double.NaN;
                }
            }
        }

        if (IsPacked)
        {
            var scale = ScaleFactor ?? 1.0;
            var offset = AddOffset ?? 0.0;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = values[i] * scale + offset;
            }
        }
    }

    private void ConvertToDouble(Array raw, double[] result)
    {
        switch (Type.GetTypeCode(raw.GetType().GetElementType()))
        {
            case TypeCode.Single:
                var f = MemoryMarshal.Cast<byte, float>(BigEndian.AsBytes(raw));
                for (var i = 0; i < f.Length; i++)
                {
                    result[i] = f[i];
                }

                break;
            case TypeCode.Double:
                MemoryMarshal.Cast<byte, double>(BigEndian.AsBytes(raw)).CopyTo(result);
                break;
            case TypeCode.UInt64:
                var u = MemoryMarshal.Cast<byte, ulong>(BigEndian.AsBytes(raw));
                for (var i = 0; i < u.Length; i++)
                {
                    result[i] = u[i];
                }

                break;
            default:
                var longs = ToLong(raw, "");
                for (var i = 0; i < longs.Length; i++)
                {
                    result[i] = longs[i];
                }

                break;
        }
    }

    /// <summary>An attribute value as a stored value of this variable is seen after conversion (float32 rounding, <c>_Unsigned</c>).</summary>
    private double StoredValue(double value) => _storedType switch
    {
        NetCdfType.Float => (float)value,
        NetCdfType.Byte when Unsigned && value < 0 => value + 256,
        NetCdfType.Short when Unsigned && value < 0 => value + 65536,
        NetCdfType.Int when Unsigned && value < 0 => value + 4294967296.0,
        _ => value,
    };

    private static double? Single(NetCdfVariable variable, string name)
    {
        if (!variable.Attributes.TryGetValue(name, out var a))
        {
            return null;
        }

        if (a.IsText || a.Count != 1)
        {
            throw new InvalidDataException($"Variable '{variable.Name}' has a {name} attribute that is not a single number ({a}); it cannot be unpacked.");
        }

        return a.GetDouble();
    }

    private static void Widen<T>(ReadOnlySpan<T> source, long[] result) where T : struct, System.Numerics.IBinaryInteger<T>
    {
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = long.CreateTruncating(source[i]);
        }
    }
}
