using System.Collections;
using System.Globalization;

namespace GraphCast.Formats.Npy;

/// <summary>A dict (or dataclass) of a checkpoint tree: ordered, string keys without ':', null values meaning an omitted optional field.</summary>
/// <remarks>
/// The typed getters (<see cref="GetString"/>, <see cref="GetLongs"/>, …) are for reading a loaded checkpoint;
/// their errors name the full flat key (<c>task_config:pressure_levels</c>) so a wrong file is easy to see.
/// A list comes back from <see cref="NpzTree.Unflatten"/> as a dict keyed "0", "1", …; the list getters
/// order its children by integer index, as the reference does.
/// </remarks>
public sealed class NpzDict : NpzNode, IEnumerable<KeyValuePair<string, NpzNode?>>
{
    private readonly OrderedDictionary<string, NpzNode?> _children = new(StringComparer.Ordinal);

    /// <summary>An empty dict at the tree root.</summary>
    public NpzDict()
        : this(path: string.Empty)
    {
    }

    internal NpzDict(string path)
    {
        Path = path;
    }

    /// <summary>The flat key of this dict within its tree ("" for the root or a dict built by hand).</summary>
    public string Path { get; }

    /// <summary>The number of keys, omitted (null) ones included.</summary>
    public int Count => _children.Count;

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<string> Keys => _children.Keys;

    /// <summary>The child under <paramref name="key"/> (null for an omitted optional field); setting adds or replaces it.</summary>
    /// <exception cref="InvalidDataException">Getting a key that is absent.</exception>
    public NpzNode? this[string key]
    {
        get => _children.TryGetValue(key, out var child) ? child : throw Missing(key);
        set => _children[ValidKey(key)] = value;
    }

    /// <summary>Adds a child (null: an omitted optional field); for collection initialisers.</summary>
    public void Add(string key, NpzNode? value)
    {
        if (!_children.TryAdd(ValidKey(key), value))
        {
            throw new ArgumentException($"The key '{key}' is already present under '{Path}'.", nameof(key));
        }
    }

    /// <summary>Whether <paramref name="key"/> is present (possibly as an omitted null).</summary>
    public bool ContainsKey(string key) => _children.ContainsKey(key);

    /// <summary>The child under <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(string key, out NpzNode? value) => _children.TryGetValue(key, out value);

    /// <summary>The sub-dict under <paramref name="key"/> (a module, a dataclass, or a list read back).</summary>
    public NpzDict GetDict(string key) => Get(key) as NpzDict ?? throw WrongKind(key, "a dict");

    /// <summary>The array under <paramref name="key"/>.</summary>
    public NpyArray GetArray(string key) => (Get(key) as NpzLeaf)?.Array ?? throw WrongKind(key, "an array");

    /// <summary>The Python str under <paramref name="key"/> (a 0-d unicode array).</summary>
    public string GetString(string key) => Scalar(key, a => a.ToScalarString());

    /// <summary>The Python int under <paramref name="key"/> (a 0-d integer array).</summary>
    public long GetLong(string key) => Scalar(key, a => a.ToScalarLong());

    /// <summary>The Python float under <paramref name="key"/> (a 0-d numeric array).</summary>
    public double GetDouble(string key) => Scalar(key, a => a.ToScalarDouble());

    /// <summary>The Optional[float] under <paramref name="key"/>: null when the field was omitted (the reference's None).</summary>
    public double? GetOptionalDouble(string key) =>
        _children.TryGetValue(key, out var child) && child is not null ? GetDouble(key) : null;

    /// <summary>The list or tuple under <paramref name="key"/>, children ordered by integer index.</summary>
    public IReadOnlyList<NpzNode> GetList(string key)
    {
        switch (Get(key))
        {
            case NpzList list:
                return list;
            case NpzDict dict:
                var items = new List<(long Index, NpzNode Node)>(dict.Count);
                foreach ((string index, NpzNode? node) in dict)
                {
                    if (!long.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out long i) || node is null)
                    {
                        throw new InvalidDataException($"'{Join(key)}' is not a list: it has the key '{index}', not an integer index.");
                    }

                    items.Add((i, node));
                }

                return items.OrderBy(item => item.Index).Select(item => item.Node).ToArray();
            default:
                throw WrongKind(key, "a list");
        }
    }

    /// <summary>The tuple of str under <paramref name="key"/>, in index order.</summary>
    public IReadOnlyList<string> GetStrings(string key) => ListOf(key, a => a.ToScalarString());

    /// <summary>The tuple of int under <paramref name="key"/>, in index order.</summary>
    public IReadOnlyList<long> GetLongs(string key) => ListOf(key, a => a.ToScalarLong());

    /// <summary>The tuple of float under <paramref name="key"/>, in index order.</summary>
    public IReadOnlyList<double> GetDoubles(string key) => ListOf(key, a => a.ToScalarDouble());

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, NpzNode?>> GetEnumerator() => _children.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private NpzNode Get(string key) => this[key] ?? throw Missing(key);

    private T Scalar<T>(string key, Func<NpyArray, T> read)
    {
        var array = GetArray(key);
        try
        {
            return read(array);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"'{Join(key)}': {e.Message}", e);
        }
    }

    private T[] ListOf<T>(string key, Func<NpyArray, T> read)
    {
        var items = GetList(key);
        var values = new T[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not NpzLeaf leaf)
            {
                throw new InvalidDataException($"'{Join(key)}:{i}' is not an array.");
            }

            try
            {
                values[i] = read(leaf.Array);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidDataException($"'{Join(key)}:{i}': {e.Message}", e);
            }
        }

        return values;
    }

    private string Join(string key) => Path.Length == 0 ? key : $"{Path}{NpzTree.Separator}{key}";

    private static string ValidKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Contains(NpzTree.Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The key '{key}' contains the separator '{NpzTree.Separator}', which flat checkpoint keys reserve.", nameof(key));
        }

        return key;
    }

    private InvalidDataException Missing(string key) =>
        new($"The checkpoint has no '{Join(key)}'{(Count == 0 ? "" : $"; next to it are: {string.Join(", ", Keys.Take(12))}{(Count > 12 ? ", …" : "")}")}.");

    private InvalidDataException WrongKind(string key, string expected) =>
        new($"'{Join(key)}' in the checkpoint is {Describe(_children[key])}, not {expected}.");

    private static string Describe(NpzNode? node) => node switch
    {
        NpzLeaf leaf => $"an array {leaf.Array}",
        NpzDict => "a dict",
        NpzList => "a list",
        _ => "omitted (None)",
    };
}
