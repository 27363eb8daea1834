namespace GraphCast.Formats.NetCdf;

/// <summary>
/// A variable of a netCDF dataset: name, dimensions, stored type and attributes, with values read on demand from the open
/// file as flat arrays in C (row-major) order. <see cref="ReadFloat()"/> and <see cref="ReadDouble()"/> decode as CF
/// readers do (missing values → NaN, then <c>scale_factor</c> / <c>add_offset</c>); <see cref="ReadRaw()"/> gives the values
/// as stored.
/// </summary>
public sealed class NetCdfVariable
{
    private readonly IVariableStorage _storage;
    private readonly long[] _shape;
    private CfMaskAndScale? _decoding;

    internal NetCdfVariable(
        string name, NetCdfType type, IReadOnlyList<NetCdfDimension> dimensions,
        IReadOnlyDictionary<string, NetCdfAttribute> attributes, IVariableStorage storage, string source, long[]? shape = null)
    {
        Name = name;
        Type = type;
        Dimensions = dimensions;
        Attributes = attributes;
        Source = source;
        _storage = storage;
        _shape = shape ?? dimensions.Select(d => d.Length).ToArray();
        System.Diagnostics.Debug.Assert(_shape.Length == dimensions.Count, $"{name}: shape and dimensions disagree");
    }

    public string Name { get; }

    /// <summary>The type of the stored values (before any unpacking).</summary>
    public NetCdfType Type { get; }

    public IReadOnlyList<NetCdfDimension> Dimensions { get; }

    public IEnumerable<string> DimensionNames => Dimensions.Select(d => d.Name);

    /// <summary>Attributes in file order.</summary>
    public IReadOnlyDictionary<string, NetCdfAttribute> Attributes { get; }

    /// <summary>The file the variable lives in (for messages).</summary>
    public string Source { get; }

    public int Rank => _shape.Length;

    /// <summary>
    /// The lengths of the dimensions (an unlimited one at its current length). A netCDF-4 variable that has fewer records
    /// than its unlimited dimension has its own, shorter extent here.
    /// </summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of values: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long Length => _shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>True for a coordinate variable: one dimension, of the variable's own name.</summary>
    public bool IsCoordinate => Rank == 1 && Dimensions[0].Name == Name;

    /// <summary>The <c>units</c> attribute, or null.</summary>
    public string? Units => Attributes.TryGetValue("units", out var u) && u.IsText ? u.GetText() : null;

    /// <summary>True when <c>scale_factor</c> or <c>add_offset</c> is present: reads unpack.</summary>
    public bool IsPacked => Decoding.IsPacked;

    private CfMaskAndScale Decoding => _decoding ??= new CfMaskAndScale(this);

    /// <summary>The text attribute <paramref name="name"/>, or null when absent or numeric.</summary>
    public string? TextAttribute(string name) => Attributes.TryGetValue(name, out var a) && a.IsText ? a.GetText() : null;

    /// <summary>All values as stored: an array of <see cref="NetCdfTypes.ElementType"/> of <see cref="Type"/>.</summary>
    public Array ReadRaw() => ReadRaw(new long[Rank], _shape);

    /// <summary>The hyperslab <c>[start, start + count)</c> as stored.</summary>
    public Array ReadRaw(long[] start, long[] count)
    {
        CheckBox(start, count);
        try
        {
            return _storage.Read(start, count);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException or OperationCanceledException))
        {
            // A damaged or truncated file fails inside the reader (PureHDF throws plain Exceptions such as "The file is too
            // small", decompressors their own): say which file and variable, and that the file is the problem.
            throw new InvalidDataException($"'{Source}': the values of variable '{Name}' could not be read ({e.Message.TrimEnd('.')}); the file is damaged or cut short.", e);
        }
    }

    /// <summary>All values as float32, decoded (missing → NaN, unpacked).</summary>
    public float[] ReadFloat() => ReadFloat(new long[Rank], _shape);

    /// <summary>The hyperslab <c>[start, start + count)</c> as float32, decoded.</summary>
    public float[] ReadFloat(long[] start, long[] count) => Decoding.ToFloat(ReadNumbers(start, count));

    /// <summary>All values as float64, decoded (missing → NaN, unpacked).</summary>
    public double[] ReadDouble() => ReadDouble(new long[Rank], _shape);

    /// <summary>The hyperslab <c>[start, start + count)</c> as float64, decoded.</summary>
    public double[] ReadDouble(long[] start, long[] count) => Decoding.ToDouble(ReadNumbers(start, count));

    /// <summary>
    /// All values of an integer variable as 64-bit integers, exactly as stored (with <c>_Unsigned</c> applied; missing values
    /// are not masked, since an integer has no NaN).
    /// </summary>
    /// <exception cref="InvalidOperationException">The variable is floating-point, text, or packed: use <see cref="ReadDouble()"/>.</exception>
    public long[] ReadLong() => ReadLong(new long[Rank], _shape);

    /// <summary>The hyperslab <c>[start, start + count)</c> of an integer variable as 64-bit integers.</summary>
    public long[] ReadLong(long[] start, long[] count)
    {
        if (!Type.IsInteger() || IsPacked)
        {
            throw new InvalidOperationException(
                $"Variable '{Name}' in {Source} is {(IsPacked ? "packed " : "")}{Type.CdlName()}, not plain integers; read it with ReadDouble().");
        }

        return Decoding.ToLong(ReadRaw(start, count), Name);
    }

    public override string ToString() => $"{Type.CdlName()} {Name}({string.Join(", ", DimensionNames)})";

    private Array ReadNumbers(long[] start, long[] count)
    {
        if (Type is NetCdfType.Char or NetCdfType.String)
        {
            throw new InvalidOperationException($"Variable '{Name}' in {Source} holds text ({Type.CdlName()}), not numbers; read it with ReadRaw().");
        }

        return ReadRaw(start, count);
    }

    private void CheckBox(long[] start, long[] count)
    {
        if (start.Length != Rank || count.Length != Rank)
        {
            throw new ArgumentException(
                $"Variable '{Name}' has {Rank} dimensions ({string.Join(", ", DimensionNames)}); start and count need {Rank} entries, not {start.Length} and {count.Length}.");
        }

        var total = 1L;
        for (var i = 0; i < Rank; i++)
        {
            if (start[i] < 0 || count[i] < 0 || start[i] + count[i] > _shape[i])
            {
                throw new ArgumentOutOfRangeException(
                    nameof(start), $"Variable '{Name}': [{start[i]}, {start[i] + count[i]}) is outside dimension '{Dimensions[i].Name}' of length {_shape[i]}.");
            }

            total *= count[i];
        }

        if (total > Array.MaxLength || total * Math.Max(1, Type.SizeOf()) > int.MaxValue)
        {
            throw new ArgumentException($"Variable '{Name}': {total} values do not fit one array; read it in hyperslabs.");
        }
    }
}
