using System.Globalization;
using System.Text;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// A named attribute of a netCDF dataset or variable: text (<see cref="NetCdfType.Char"/>, or netCDF-4 strings) or a
/// one-dimensional array of numbers of one <see cref="NetCdfType"/>.
/// </summary>
public sealed class NetCdfAttribute
{
    private NetCdfAttribute(string name, NetCdfType type, Array values)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A netCDF attribute needs a non-empty name.", nameof(name));
        }

        Name = name;
        Type = type;
        Values = values;
    }

    public string Name { get; }

    public NetCdfType Type { get; }

    /// <summary>
    /// The values as stored, an array of <see cref="NetCdfTypes.ElementType"/> of <see cref="Type"/>: for
    /// <see cref="NetCdfType.Char"/> the text's bytes, for <see cref="NetCdfType.String"/> a <c>string[]</c>.
    /// </summary>
    public Array Values { get; }

    public bool IsText => Type is NetCdfType.Char or NetCdfType.String;

    public int Count => Values.Length;

    /// <summary>A text attribute (written as <see cref="NetCdfType.Char"/>, UTF-8).</summary>
    public static NetCdfAttribute Text(string name, string value) => new(name, NetCdfType.Char, Encoding.UTF8.GetBytes(value));

    /// <summary>An attribute of the values in <paramref name="values"/>, whose element type gives the netCDF type (see <see cref="NetCdfTypes.FromElementType"/>).</summary>
    public static NetCdfAttribute Of(string name, Array values)
    {
        var elementType = values.GetType().GetElementType()!;
        if (values.Rank != 1)
        {
            throw new ArgumentException($"Attribute '{name}' must be a one-dimensional array of values, not a {values.Rank}-dimensional one.");
        }

        var type = NetCdfTypes.FromElementType(elementType);
        return type == NetCdfType.Char
            ? Text(name, new string((char[])values))
            : new NetCdfAttribute(name, type, (Array)values.Clone());
    }

    /// <summary>
    /// An attribute from a value as one would write it: a <c>string</c> (text), a number (one value of its type) or an array
    /// of numbers.
    /// </summary>
    public static NetCdfAttribute Create(string name, object value) => value switch
    {
        string s => Text(name, s),
        Array a => Of(name, a),
        sbyte or short or int or float or double or byte or ushort or uint or long or ulong => Of(name, ToArray(value)),
        _ => throw new ArgumentException($"Attribute '{name}' cannot hold a {value.GetType().Name}; use a string, a number or an array of numbers."),
    };

    /// <summary>Internal constructor for readers: <paramref name="values"/> must already be of the element type of <paramref name="type"/>.</summary>
    internal static NetCdfAttribute FromStored(string name, NetCdfType type, Array values)
    {
        System.Diagnostics.Debug.Assert(values.GetType().GetElementType() == type.ElementType(), $"attribute {name}: {values.GetType()} for {type}");
        return new NetCdfAttribute(name, type, values);
    }

    /// <summary>The text of a text attribute (trailing NULs, which some writers include, removed).</summary>
    /// <exception cref="InvalidOperationException">The attribute holds numbers.</exception>
    public string GetText() => Type switch
    {
        NetCdfType.Char => Encoding.UTF8.GetString((byte[])Values).TrimEnd('\0'),
        NetCdfType.String => string.Join("\n", (string[])Values),
        _ => throw new InvalidOperationException($"Attribute '{Name}' holds {Type.CdlName()} values, not text."),
    };

    /// <summary>The values as float64 (exact for every type except 64-bit integers beyond 2^53).</summary>
    /// <exception cref="InvalidOperationException">The attribute holds text.</exception>
    public double[] GetDoubles()
    {
        if (IsText)
        {
            throw new InvalidOperationException($"Attribute '{Name}' holds text (\"{GetText()}\"), not numbers.");
        }

        var result = new double[Values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Convert.ToDouble(Values.GetValue(i), CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>The single value of a one-value numeric attribute.</summary>
    public double GetDouble()
    {
        var values = GetDoubles();
        return values.Length == 1 ? values[0]
            : throw new InvalidOperationException($"Attribute '{Name}' holds {values.Length} values, not one.");
    }

    public override string ToString() => IsText
        ? $"{Name} = \"{GetText()}\""
        : $"{Name} = {string.Join(", ", GetDoubles().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} ({Type.CdlName()})";

    private static Array ToArray(object scalar)
    {
        var array = Array.CreateInstance(scalar.GetType(), 1);
        array.SetValue(scalar, 0);
        return array;
    }
}
