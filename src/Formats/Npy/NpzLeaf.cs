namespace GraphCast.Formats.Npy;

/// <summary>A leaf of a checkpoint tree: one array (a Python scalar is a 0-d array).</summary>
public sealed class NpzLeaf(NpyArray array) : NpzNode
{
    /// <summary>The stored array.</summary>
    public NpyArray Array { get; } = array ?? throw new ArgumentNullException(nameof(array));

    /// <inheritdoc/>
    public override string ToString() => Array.ToString();
}
