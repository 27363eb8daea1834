using System.Collections;

namespace GraphCast.Formats.Npy;

/// <summary>A list or tuple of a checkpoint tree; it flattens to the keys "0", "1", … as the reference does.</summary>
public sealed class NpzList : NpzNode, IReadOnlyList<NpzNode>
{
    private readonly NpzNode[] _items;

    /// <summary>A list of <paramref name="items"/>, none of them null (the reference refuses None inside lists).</summary>
    public NpzList(IEnumerable<NpzNode> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
        int missing = System.Array.IndexOf(_items, null);
        if (missing >= 0)
        {
            throw new ArgumentException($"Item {missing} is null; a checkpoint list cannot hold None (only optional dict fields can be omitted).", nameof(items));
        }
    }

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public NpzNode this[int index] => _items[index];

    /// <summary>A tuple of strings, e.g. <c>TaskConfig.input_variables</c>.</summary>
    public static NpzList FromStrings(IEnumerable<string> values) => new(values.Select(v => (NpzNode)v));

    /// <summary>A tuple of Python ints (0-d int64 leaves), e.g. <c>TaskConfig.pressure_levels</c>.</summary>
    public static NpzList FromLongs(IEnumerable<long> values) => new(values.Select(v => (NpzNode)v));

    /// <summary>A tuple of Python floats (0-d float64 leaves).</summary>
    public static NpzList FromDoubles(IEnumerable<double> values) => new(values.Select(v => (NpzNode)v));

    /// <inheritdoc/>
    public IEnumerator<NpzNode> GetEnumerator() => ((IEnumerable<NpzNode>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
