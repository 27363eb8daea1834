using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Network;

/// <summary>
/// Results of a forward pass that depend only on the parameters and the fixed graphs, not on the inputs — embeddings of
/// the structural edge and node features and their first processor-layer terms — kept between forward passes for the
/// parameters (and activation dtype) they were computed with.
/// </summary>
/// <remarks>
/// GraphCast embeds structural features (edge geometry, the mesh nodes' positions) that are the same in every step of
/// every member: for graphcast-small these terms are 15 % of a forward's multiply-adds and take about 1 GB in float32.
/// Entries belong to one <see cref="Params"/> instance (compared by reference, so parameters must not be modified in place
/// while cached) and one dtype; a forward with other parameters replaces them all. Callers get their own handle to an
/// entry (an alias that they dispose), so replacing entries never frees storage another forward is still reading.
/// Entries are read-only: a caller that needs to write must copy.
/// </remarks>
public sealed class StructuralTermsCache : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Tensor> _entries = new(StringComparer.Ordinal);
    private Params? _owner;
    private ScalarType _dtype;

    /// <summary>Number of cached tensors.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Bytes held by cached tensors.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Sum(t => t.numel() * t.element_size());
            }
        }
    }

    /// <summary>
    /// The entry <paramref name="key"/> for <paramref name="parameters"/> and <paramref name="dtype"/>, computed by
    /// <paramref name="compute"/> when absent (under the cache's lock, so concurrent forwards compute it once). Returns a
    /// new handle the caller disposes; its storage must not be written.
    /// </summary>
    public Tensor GetOrAdd(Params parameters, ScalarType dtype, string key, Func<Tensor> compute)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_owner, parameters) || _dtype != dtype)
            {
                Clear();
                _owner = parameters;
                _dtype = dtype;
            }

            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = compute().DetachFromDisposeScope();
                _entries[key] = entry;
            }

            return entry.alias();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Clear();
            _owner = null;
        }
    }

    private void Clear()
    {
        foreach (var t in _entries.Values)
        {
            t.Dispose();
        }

        _entries.Clear();
    }
}
