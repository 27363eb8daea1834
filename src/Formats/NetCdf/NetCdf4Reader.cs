using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// Maps a netCDF-4 file (HDF5, read with PureHDF) onto the netCDF model: datasets of the root group are variables,
/// dimension scales (<c>CLASS = "DIMENSION_SCALE"</c>) are dimensions, ordered by <c>_Netcdf4Dimid</c>. A variable's
/// dimensions come from its <c>DIMENSION_LIST</c> references, else its <c>_Netcdf4Coordinates</c> ids, else the scales'
/// <c>REFERENCE_LIST</c>s, else by matching lengths (plain HDF5 files get <c>phony_dim_N</c> as netCDF-C names them).
/// </summary>
internal static class NetCdf4Reader
{
    /// <summary>The NAME that netCDF-4 gives a dimension scale that is only a dimension, not a variable.</summary>
    private const string DimensionOnlyPrefix = "This is a netCDF dimension but not a netCDF variable";

    /// <summary>netCDF-4 names the scale of a dimension whose same-named variable is not its coordinate variable with this prefix.</summary>
    private const string NonCoordinatePrefix = "_nc4_non_coord_";

    /// <summary>Attributes of the netCDF-4 and HDF5 dimension-scale machinery; netCDF hides them.</summary>
    private static readonly HashSet<string> HiddenAttributes = new(StringComparer.Ordinal)
    {
        "CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "_Netcdf4Dimid", "_Netcdf4Coordinates", "_nc3_strict", "_NCProperties",
    };

    public static NetCdfDataset Open(string path)
    {
        NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or FileNotFoundException or UnauthorizedAccessException))
        {
            throw new InvalidDataException($"'{path}' could not be read as netCDF-4 (HDF5): {e.Message.TrimEnd('.')}; the file is damaged or cut short.", e);
        }

        try
        {
            return Read(path, file);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            file.Dispose();
            throw new InvalidDataException($"'{path}' could not be read as netCDF-4 (HDF5): {e.Message.TrimEnd('.')}; the file is damaged or cut short.", e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static NetCdfDataset Read(string path, NativeFile file)
    {
        var datasets = file.Children().OfType<IH5Dataset>().ToList();

        // Dimensions: the dimension scales, in netCDF dimension id order where the file records it.
        var scales = datasets.Where(IsDimensionScale).ToList();
        var dimIds = scales.Select(s => ReadInt(s, "_Netcdf4Dimid")).ToList();
        if (dimIds.All(id => id is not null))
        {
            scales = scales.Zip(dimIds).OrderBy(x => x.Second).Select(x => x.First).ToList();
        }

        var dimensions = scales.Select(s => new NetCdfDimension(
            DimensionName(s.Name), (long)s.Space.Dimensions[0], s.Space.MaxDimensions[0] == H5Constants.Unlimited)).ToList();
        var byScaleName = scales.Zip(dimensions).ToDictionary(x => x.First.Name, x => x.Second, StringComparer.Ordinal);
        var byDimId = dimIds.All(id => id is not null)
            ? scales.Zip(dimensions).ToDictionary(x => ReadInt(x.First, "_Netcdf4Dimid")!.Value, x => x.Second)
            : [];
        // Read only if some variable lacks both DIMENSION_LIST and _Netcdf4Coordinates: compound attributes are slow to decode.
        var fromReferenceLists = new Lazy<Dictionary<string, NetCdfDimension[]>>(() => ReferenceLists(file, scales, byScaleName));

        var mapped = new List<(IH5Dataset Dataset, NetCdfType Type, NetCdfDimension[] Dims)>();
        var phony = new List<NetCdfDimension>();
        var ordered = scales.Where(s => !IsDimensionOnly(s)).Concat(datasets.Where(d => !IsDimensionScale(d)));
        foreach (var dataset in ordered)
        {
            if (MapType(dataset.Type) is not { } type)
            {
                continue; // Compound, enum, opaque, vlen and reference datasets have no place in the classic netCDF model.
            }

            var dims = IsDimensionScale(dataset)
                ? [byScaleName[dataset.Name]]
                : VariableDimensions(file, dataset, byScaleName, byDimId, fromReferenceLists, dimensions, phony);
            mapped.Add((dataset, type, dims));
        }

        // netCDF-C does not extend the scale of an unlimited dimension that has no coordinate variable: the dimension's
        // length is the longest extent of the variables along it.
        var final = dimensions.Concat(phony).ToDictionary(d => d.Name, d => d.IsUnlimited
            ? d with { Length = mapped.SelectMany(m => m.Dims.Select((x, axis) => x.Name == d.Name ? Extent(m.Dataset)[axis] : 0)).Append(d.Length).Max() }
            : d);

        var variables = mapped.Select(m => new NetCdfVariable(
            m.Dataset.Name, m.Type, m.Dims.Select(d => final[d.Name]).ToArray(),
            NetCdfDataset.ByName(ReadAttributes(m.Dataset, path).Where(a => !HiddenAttributes.Contains(a.Name)), a => a.Name, "attribute", path),
            new Hdf5VariableStorage(m.Dataset, m.Type), path, Extent(m.Dataset))).ToList();

        var globals = ReadAttributes(file, path).Where(a => !HiddenAttributes.Contains(a.Name));
        return new NetCdfDataset(path, NetCdfFormat.NetCdf4, final.Values, globals, variables, file);
    }

    /// <summary>The dataset's current extent (empty for a scalar).</summary>
    private static long[] Extent(IH5Dataset dataset) =>
        dataset.Space.Type == H5DataspaceType.Scalar ? [] : dataset.Space.Dimensions.Select(d => (long)d).ToArray();

    private static NetCdfDimension[] VariableDimensions(
        NativeFile file, IH5Dataset dataset, Dictionary<string, NetCdfDimension> byScaleName, Dictionary<int, NetCdfDimension> byDimId,
        Lazy<Dictionary<string, NetCdfDimension[]>> fromReferenceLists, List<NetCdfDimension> dimensions, List<NetCdfDimension> phony)
    {
        var shape = Extent(dataset);
        bool Fits(NetCdfDimension?[]? dims) => dims is not null && dims.Length == shape.Length &&
            dims.Zip(shape).All(x => x.First is { } d && (d.IsUnlimited || d.Length == x.Second));

        if (shape.Length == 0)
        {
            return [];
        }

        // 1. DIMENSION_LIST: one list of object references (to dimension scales) per axis.
        if (dataset.AttributeExists("DIMENSION_LIST"))
        {
            var fromList = TryRead(() => dataset.Attribute("DIMENSION_LIST").Read<NativeObjectReference1[][]>()
                .Select(refs => refs.Length > 0 && file.Get(refs[0]) is { } scale && byScaleName.TryGetValue(scale.Name, out var d) ? d : null)
                .ToArray());
            if (Fits(fromList))
            {
                return fromList!.Select(d => d!).ToArray();
            }
        }

        // 2. _Netcdf4Coordinates: the netCDF dimension ids of the axes.
        if (ReadInts(dataset, "_Netcdf4Coordinates") is { } ids)
        {
            var fromIds = ids.Select(id => byDimId.GetValueOrDefault(id)).ToArray();
            if (Fits(fromIds))
            {
                return fromIds!.Select(d => d!).ToArray();
            }
        }

        // 3. The scales' REFERENCE_LISTs (dataset reference, axis index) name this dataset's axes.
        if (fromReferenceLists.Value.TryGetValue(dataset.Name, out var fromScales) && Fits(fromScales))
        {
            return fromScales;
        }

        // 4. Lengths: a dimension of the axis's length, not used on an earlier axis; else a phony dimension, as netCDF-C makes.
        var result = new NetCdfDimension[shape.Length];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            var length = shape[axis];
            var extensible = dataset.Space.MaxDimensions[axis] == H5Constants.Unlimited;
            var candidates = dimensions.Concat(phony).Where(d => (d.Length == length || (d.IsUnlimited && extensible)) && !result.Take(axis).Contains(d));
            result[axis] = candidates.FirstOrDefault() ?? AddPhony(phony, dimensions, length);
        }

        return result;
    }

    private static NetCdfDimension AddPhony(List<NetCdfDimension> phony, List<NetCdfDimension> dimensions, long length)
    {
        var n = phony.Count;
        while (dimensions.Any(d => d.Name == $"phony_dim_{n}"))
        {
            n++;
        }

        var d = new NetCdfDimension($"phony_dim_{n}", length);
        phony.Add(d);
        return d;
    }

    /// <summary>Per dataset name, its dimensions as the scales' REFERENCE_LIST attributes give them (entries may be missing).</summary>
    private static Dictionary<string, NetCdfDimension[]> ReferenceLists(
        NativeFile file, List<IH5Dataset> scales, Dictionary<string, NetCdfDimension> byScaleName)
    {
        var result = new Dictionary<string, NetCdfDimension[]>(StringComparer.Ordinal);
        foreach (var scale in scales.Where(s => s.AttributeExists("REFERENCE_LIST")))
        {
            var entries = TryRead(() => scale.Attribute("REFERENCE_LIST").Read<Dictionary<string, object>[]>());
            foreach (var entry in entries ?? [])
            {
                if (entry.Values.OfType<NativeObjectReference1>().FirstOrDefault() is var reference &&
                    entry.Values.FirstOrDefault(v => v is int or uint or long) is { } axisValue &&
                    TryRead(() => file.Get(reference)) is IH5Dataset target &&
                    target.Space.Rank > 0)
                {
                    var axis = Convert.ToInt32(axisValue, System.Globalization.CultureInfo.InvariantCulture);
                    var dims = result.TryGetValue(target.Name, out var existing) ? existing : new NetCdfDimension[target.Space.Rank];
                    if (axis >= 0 && axis < dims.Length)
                    {
                        dims[axis] = byScaleName[scale.Name];
                    }

                    result[target.Name] = dims;
                }
            }
        }

        return result;
    }

    private static bool IsDimensionScale(IH5Dataset dataset) =>
        dataset.Space.Rank == 1 && ReadText(dataset, "CLASS") == "DIMENSION_SCALE";

    private static bool IsDimensionOnly(IH5Dataset scale) => ReadText(scale, "NAME")?.StartsWith(DimensionOnlyPrefix, StringComparison.Ordinal) == true;

    private static string DimensionName(string scaleName) =>
        scaleName.StartsWith(NonCoordinatePrefix, StringComparison.Ordinal) ? scaleName[NonCoordinatePrefix.Length..] : scaleName;

    /// <summary>The netCDF type of an HDF5 type, or null when netCDF's classic model has none for it.</summary>
    private static NetCdfType? MapType(IH5DataType type) => type.Class switch
    {
        H5DataTypeClass.FixedPoint => (type.Size, type.FixedPoint.IsSigned) switch
        {
            (1, true) => NetCdfType.Byte,
            (1, false) => NetCdfType.UByte,
            (2, true) => NetCdfType.Short,
            (2, false) => NetCdfType.UShort,
            (4, true) => NetCdfType.Int,
            (4, false) => NetCdfType.UInt,
            (8, true) => NetCdfType.Int64,
            (8, false) => NetCdfType.UInt64,
            _ => null,
        },
        H5DataTypeClass.FloatingPoint => type.Size switch
        {
            4 => NetCdfType.Float,
            8 => NetCdfType.Double,
            _ => null,
        },

        // netCDF-4 stores char as fixed-length strings of one byte, and string as variable-length strings.
        H5DataTypeClass.String => type.Size == 1 ? NetCdfType.Char : NetCdfType.String,
        H5DataTypeClass.VariableLength when IsVariableLengthString(type) => NetCdfType.String,
        _ => null,
    };

    private static bool IsVariableLengthString(IH5DataType type) =>
        type.VariableLength.BaseType is { } b && (b.Class == H5DataTypeClass.String || (b.Class == H5DataTypeClass.FixedPoint && b.Size == 1));

    private static IEnumerable<NetCdfAttribute> ReadAttributes(IH5Object owner, string path)
    {
        foreach (var a in owner.Attributes())
        {
            if (HiddenAttributes.Contains(a.Name))
            {
                continue;
            }

            NetCdfAttribute? attribute;
            try
            {
                attribute = ReadAttribute(a);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"'{path}': attribute '{a.Name}' of '{owner.Name}' could not be read: {e.Message}", e);
            }

            if (attribute is not null)
            {
                yield return attribute;
            }
        }
    }

    private static NetCdfAttribute? ReadAttribute(IH5Attribute a)
    {
        if (IsString(a.Type))
        {
            var strings = a.Read<string[]>();

            // netCDF-4 keeps char attributes as one fixed-length string; string attributes are variable-length.
            return a.Type.Class == H5DataTypeClass.String && strings.Length == 1
                ? NetCdfAttribute.Text(a.Name, strings[0])
                : NetCdfAttribute.FromStored(a.Name, NetCdfType.String, strings);
        }

        if (MapType(a.Type) is not { } type || type == NetCdfType.Char)
        {
            return null; // Attributes of compound or other user types are not part of the netCDF model we read.
        }

        return NetCdfAttribute.FromStored(a.Name, type, Hdf5VariableStorage.ReadNumbers(type, t => ReadAttributeAs(a, t)));
    }

    private static Array ReadAttributeAs(IH5Attribute a, Type elementType) => elementType switch
    {
        _ when elementType == typeof(sbyte) => a.Read<sbyte[]>(),
        _ when elementType == typeof(byte) => a.Read<byte[]>(),
        _ when elementType == typeof(short) => a.Read<short[]>(),
        _ when elementType == typeof(ushort) => a.Read<ushort[]>(),
        _ when elementType == typeof(int) => a.Read<int[]>(),
        _ when elementType == typeof(uint) => a.Read<uint[]>(),
        _ when elementType == typeof(long) => a.Read<long[]>(),
        _ when elementType == typeof(ulong) => a.Read<ulong[]>(),
        _ when elementType == typeof(float) => a.Read<float[]>(),
        _ when elementType == typeof(double) => a.Read<double[]>(),
        _ => throw new NotSupportedException(elementType.Name),
    };

    private static string? ReadText(IH5Object owner, string name) =>
        owner.AttributeExists(name) && owner.Attribute(name) is var a && IsString(a.Type)
            ? TryRead(() => a.Read<string[]>().FirstOrDefault())
            : null;

    private static bool IsString(IH5DataType type) =>
        type.Class == H5DataTypeClass.String || (type.Class == H5DataTypeClass.VariableLength && IsVariableLengthString(type));

    private static int? ReadInt(IH5Object owner, string name) => ReadInts(owner, name) is [var v] ? v : null;

    private static int[]? ReadInts(IH5Object owner, string name) =>
        owner.AttributeExists(name) && owner.Attribute(name) is { Type.Class: H5DataTypeClass.FixedPoint, Type.Size: 4 } a
            ? TryRead(() => a.Read<int[]>())
            : null;

    /// <summary>Dimension metadata is read defensively: a damaged or unusual entry falls through to the next way of finding dimensions.</summary>
    private static T? TryRead<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return default;
        }
    }
}

/// <summary>One netCDF-4 variable's values: an HDF5 dataset, read whole or by hyperslab through PureHDF.</summary>
internal sealed class Hdf5VariableStorage(IH5Dataset dataset, NetCdfType type) : IVariableStorage
{
    public Array Read(long[] start, long[] count)
    {
        var whole = start.All(s => s == 0) && count.SequenceEqual(dataset.Space.Type == H5DataspaceType.Scalar ? [] : dataset.Space.Dimensions.Select(d => (long)d));
        var selection = whole ? null : new HyperslabSelection(start.Length, start.Select(s => (ulong)s).ToArray(), count.Select(c => (ulong)c).ToArray());

        switch (type)
        {
            case NetCdfType.String:
                return dataset.Read<string[]>(fileSelection: selection);
            case NetCdfType.Char:
                // One-byte fixed strings: PureHDF gives a string per value, empty for NUL.
                return dataset.Read<string[]>(fileSelection: selection).Select(s => s.Length > 0 ? (byte)s[0] : (byte)0).ToArray();
            default:
                return ReadNumbers(type, t => ReadAs(t, selection));
        }
    }

    /// <summary>
    /// Reads numbers as the element type of <paramref name="type"/>. PureHDF 2.2 refuses to convert big-endian data
    /// ("Byte order conversion is not (yet) supported"); such data is then read as raw bytes and swapped here.
    /// </summary>
    internal static Array ReadNumbers(NetCdfType type, Func<Type, Array> read)
    {
        try
        {
            return read(type.ElementType());
        }
        catch (Exception e) when (e.Message.Contains("Byte order", StringComparison.OrdinalIgnoreCase))
        {
            return BigEndian.ToArray((byte[])read(typeof(byte)), type);
        }
    }

    private Array ReadAs(Type elementType, Selection? selection) => elementType switch
    {
        _ when elementType == typeof(sbyte) => dataset.Read<sbyte[]>(fileSelection: selection),
        _ when elementType == typeof(byte) => dataset.Read<byte[]>(fileSelection: selection),
        _ when elementType == typeof(short) => dataset.Read<short[]>(fileSelection: selection),
        _ when elementType == typeof(ushort) => dataset.Read<ushort[]>(fileSelection: selection),
        _ when elementType == typeof(int) => dataset.Read<int[]>(fileSelection: selection),
        _ when elementType == typeof(uint) => dataset.Read<uint[]>(fileSelection: selection),
        _ when elementType == typeof(long) => dataset.Read<long[]>(fileSelection: selection),
        _ when elementType == typeof(ulong) => dataset.Read<ulong[]>(fileSelection: selection),
        _ when elementType == typeof(float) => dataset.Read<float[]>(fileSelection: selection),
        _ when elementType == typeof(double) => dataset.Read<double[]>(fileSelection: selection),
        _ => throw new NotSupportedException(elementType.Name),
    };
}
