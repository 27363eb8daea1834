namespace GraphCast.Formats.Npy;

/// <summary>A node of a checkpoint tree as the reference <c>checkpoint.py</c> sees one: a dict, a list/tuple, or an array leaf.</summary>
/// <remarks>
/// Python leaves convert implicitly, as <c>np.savez</c> would store them: a <see cref="string"/> becomes a 0-d
/// <c>&lt;U{n}</c> array, an <see cref="int"/> or <see cref="long"/> a 0-d int64 and a <see cref="double"/> a 0-d
/// float64, so that <c>new CheckpointDict { ["mesh_size"] = 6, ["input_duration"] = "12h" }</c> reads like
/// the dataclass it stands for. A <c>double?</c> converts to null when empty, which a dict omits (Python's None).
/// </remarks>
public abstract class NpzNode
{
    private protected NpzNode()
    {
    }

    public static implicit operator NpzNode(NpyArray array) => new NpzLeaf(array);

    public static implicit operator NpzNode(string value) => new NpzLeaf(NpyArray.FromString(value));

    public static implicit operator NpzNode(long value) => new NpzLeaf(NpyArray.FromScalar(value));

    public static implicit operator NpzNode(int value) => new NpzLeaf(NpyArray.FromScalar((long)value));

    public static implicit operator NpzNode(double value) => new NpzLeaf(NpyArray.FromScalar(value));

    /// <summary>An Optional[float] field: null stays null, so the field is omitted when flattened.</summary>
    public static implicit operator NpzNode?(double? value) => value is double present ? present : null;
}
