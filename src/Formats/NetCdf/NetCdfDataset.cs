using System.Diagnostics.CodeAnalysis;

namespace GraphCast.Formats.NetCdf;

/// <summary>
/// An open netCDF file of any format (classic CDF-1/2/5 or netCDF-4/HDF5): dimensions, global attributes and variables.
/// Metadata is read on open; variable values are read on demand, so the dataset holds the file open until disposed.
/// Reads of a classic file may run on several threads at once; a netCDF-4 dataset should be read from one thread at a time
/// (PureHDF does not promise concurrent reads of one file).
/// </summary>
public sealed class NetCdfDataset : IDisposable
{
    private readonly IDisposable _file;

    internal NetCdfDataset(
        string path, NetCdfFormat format, IEnumerable<NetCdfDimension> dimensions,
        IEnumerable<NetCdfAttribute> attributes, IEnumerable<NetCdfVariable> variables, IDisposable file)
    {
        Path = path;
        Format = format;
        Dimensions = ByName(dimensions, d => d.Name, "dimension", path);
        Attributes = ByName(attributes, a => a.Name, "global attribute", path);
        Variables = ByName(variables, v => v.Name, "variable", path);
        _file = file;
    }

    public string Path { get; }

    public NetCdfFormat Format { get; }

    /// <summary>Dimensions in file order (dimension id order).</summary>
    public IReadOnlyDictionary<string, NetCdfDimension> Dimensions { get; }

    /// <summary>Global attributes in file order.</summary>
    public IReadOnlyDictionary<string, NetCdfAttribute> Attributes { get; }

    /// <summary>Variables in file order (for netCDF-4: coordinate variables first, then the others as the HDF5 group lists them).</summary>
    public IReadOnlyDictionary<string, NetCdfVariable> Variables { get; }

    /// <summary>Opens the netCDF file at <paramref name="path"/>, whose format is detected from its first bytes.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a netCDF file, or a damaged one.</exception>
    public static NetCdfDataset Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No netCDF file at '{path}'.", path);
        }

        return NetCdfFormats.Detect(path) switch
        {
            NetCdfFormat.NetCdf4 => NetCdf4Reader.Open(path),
            _ => ClassicFormatReader.Open(path),
        };
    }

    /// <summary>The variable <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such variable; the message lists those present.</exception>
    public NetCdfVariable Variable(string name) => Variables.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"'{Path}' has no variable '{name}'. Variables: {string.Join(", ", Variables.Keys)}.");

    public NetCdfVariable this[string name] => Variable(name);

    public bool TryGetVariable(string name, [NotNullWhen(true)] out NetCdfVariable? variable) => Variables.TryGetValue(name, out variable);

    /// <summary>The dimension <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such dimension; the message lists those present.</exception>
    public NetCdfDimension Dimension(string name) => Dimensions.TryGetValue(name, out var d) ? d
        : throw new KeyNotFoundException($"'{Path}' has no dimension '{name}'. Dimensions: {string.Join(", ", Dimensions.Keys)}.");

    public void Dispose() => _file.Dispose();

    public override string ToString() =>
        $"{System.IO.Path.GetFileName(Path)} ({Format}): {string.Join(", ", Dimensions.Values)}; {string.Join(", ", Variables.Values)}";

    internal static OrderedDictionary<string, T> ByName<T>(IEnumerable<T> items, Func<T, string> name, string what, string path)
    {
        var result = new OrderedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!result.TryAdd(name(item), item))
            {
                throw new InvalidDataException($"'{path}' defines {what} '{name(item)}' twice.");
            }
        }

        return result;
    }
}
