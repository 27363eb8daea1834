using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>
/// A graph with typed node sets and edge sets, as the reference's <c>TypedGraph</c>: node features per set
/// <c>[num_nodes, batch, features]</c> and edge sets that connect a sender set to a receiver set. A batch size of 1 broadcasts
/// (structural features are shared by every batch element).
/// </summary>
public sealed class TypedGraph
{
    public TypedGraph(IReadOnlyDictionary<string, Tensor> nodes, IReadOnlyList<EdgeSet> edges)
    {
        foreach (var e in edges)
        {
            if (!nodes.ContainsKey(e.SenderSet) || !nodes.ContainsKey(e.ReceiverSet))
            {
                throw new ArgumentException($"Edge set '{e.Name}' connects '{e.SenderSet}' → '{e.ReceiverSet}', but the graph's node sets are {string.Join(", ", nodes.Keys)}.", nameof(edges));
            }
        }

        // The reference concatenates dict leaves sorted by key: keep node and edge sets in ordinal name order.
        Nodes = new SortedDictionary<string, Tensor>(nodes.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        Edges = edges.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Node features per node set, <c>[num_nodes, batch, features]</c>, sorted by set name.</summary>
    public IReadOnlyDictionary<string, Tensor> Nodes { get; }

    /// <summary>Edge sets sorted by name.</summary>
    public IReadOnlyList<EdgeSet> Edges { get; }

    public TypedGraph With(IReadOnlyDictionary<string, Tensor> nodes, IReadOnlyList<EdgeSet> edges) => new(nodes, edges);
}
