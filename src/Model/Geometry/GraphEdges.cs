namespace GraphCast.Model.Geometry;

/// <summary>
/// Directed edges of one graph as two parallel index arrays [num_edges]: edge e goes from node
/// <c>Senders[e]</c> of the sender set to node <c>Receivers[e]</c> of the receiver set.
/// </summary>
/// <param name="Senders">[num_edges] indices into the sender nodes.</param>
/// <param name="Receivers">[num_edges] indices into the receiver nodes.</param>
public sealed record GraphEdges(int[] Senders, int[] Receivers)
{
    /// <summary>[num_edges] indices into the sender nodes.</summary>
    public int[] Senders { get; } = Senders.Length == Receivers.Length
        ? Senders
        : throw new ArgumentException($"Senders ({Senders.Length}) and receivers ({Receivers.Length}) must have one entry per edge.", nameof(Senders));

    /// <summary>The number of edges.</summary>
    public int Count => Senders.Length;
}
