using System.Collections;

namespace GraphCast.Model.Checkpoints;

/// <summary>A list or tuple of a checkpoint tree; it flattens to the keys "0", "1", … as the reference does.</summary>
public sealed class CheckpointList : CheckpointNode, IReadOnlyList<CheckpointNode>
{
    private readonly CheckpointNode[] _items;

    /// <summary>A list of <paramref name="items"/>, none of them null (the reference refuses None inside lists).</summary>
    public CheckpointList(IEnumerable<CheckpointNode> items)
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
    public CheckpointNode this[int index] => _items[index];

    /// <summary>A tuple of strings, e.g. <c>TaskConfig.input_variables</c>.</summary>
    public static CheckpointList FromStrings(IEnumerable<string> values) => new(values.Select(v => (CheckpointNode)v));

    /// <summary>A tuple of Python ints (0-d int64 leaves), e.g. <c>TaskConfig.pressure_levels</c>.</summary>
    public static CheckpointList FromLongs(IEnumerable<long> values) => new(values.Select(v => (CheckpointNode)v));

    /// <summary>A tuple of Python floats (0-d float64 leaves).</summary>
    public static CheckpointList FromDoubles(IEnumerable<double> values) => new(values.Select(v => (CheckpointNode)v));

    /// <inheritdoc/>
    public IEnumerator<CheckpointNode> GetEnumerator() => ((IEnumerable<CheckpointNode>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
