using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>
/// An immutable, ordered map from <see cref="ParamPath"/> to tensor: the common shape of <see cref="Params"/> and
/// <see cref="State"/>. Iteration order is deterministic (the order entries were created or loaded). The map owns its
/// tensors (they are detached from every dispose scope) and releases them on <see cref="Dispose"/>; transformations return
/// new maps with their own tensor handles, so disposing one map never invalidates another.
/// </summary>
public abstract class TensorMap<TSelf> : IReadOnlyCollection<KeyValuePair<ParamPath, Tensor>>, IDisposable
    where TSelf : TensorMap<TSelf>
{
    private readonly KeyValuePair<ParamPath, Tensor>[] _entries;
    private readonly Dictionary<ParamPath, int> _index;
    private bool _disposed;

    protected TensorMap(IEnumerable<KeyValuePair<ParamPath, Tensor>> entries)
    {
        _entries = entries.ToArray();
        _index = new Dictionary<ParamPath, int>(_entries.Length);
        for (var i = 0; i < _entries.Length; i++)
        {
            if (!_index.TryAdd(_entries[i].Key, i))
            {
                throw new ArgumentException($"Duplicate path '{_entries[i].Key}' in {typeof(TSelf).Name}.", nameof(entries));
            }

            _entries[i].Value.DetachFromDisposeScope();
        }
    }

    /// <summary>Builds a map of the derived type (used by the transformations below).</summary>
    protected abstract TSelf Create(IEnumerable<KeyValuePair<ParamPath, Tensor>> entries);

    public int Count => _entries.Length;

    /// <summary>The paths, in map order.</summary>
    public IEnumerable<ParamPath> Keys => _entries.Select(e => e.Key);

    /// <summary>The distinct module paths, in map order.</summary>
    public IEnumerable<string> Modules => _entries.Select(e => e.Key.Module).Distinct();

    /// <summary>Total number of elements over all tensors.</summary>
    public long TotalElements => _entries.Sum(e => e.Value.numel());

    /// <summary>Total storage in bytes over all tensors.</summary>
    public long TotalBytes => _entries.Sum(e => e.Value.numel() * e.Value.element_size());

    public Tensor this[ParamPath path] => TryGet(path, out var t) ? t : throw new KeyNotFoundException(
        $"{typeof(TSelf).Name} has no '{path}'. It holds {Count} tensors under {Modules.Count()} modules.");

    public Tensor this[string module, string name] => this[new ParamPath(module, name)];

    public bool Contains(ParamPath path) => _index.ContainsKey(path);

    public bool TryGet(ParamPath path, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor tensor)
    {
        ThrowIfDisposed();
        if (_index.TryGetValue(path, out var i))
        {
            tensor = _entries[i].Value;
            return true;
        }

        tensor = null;
        return false;
    }

    /// <summary>A new map with every tensor moved to <paramref name="device"/>.</summary>
    public TSelf To(Device device) => Map(t => t.to(device));

    /// <summary>A new map with every floating-point tensor cast to <paramref name="dtype"/> (integer tensors keep theirs).</summary>
    public TSelf To(ScalarType dtype) => Map(t => t.is_floating_point() ? t.to(dtype) : t);

    /// <summary>A new map with <paramref name="transform"/> applied to every tensor (without autograd).</summary>
    public TSelf Map(Func<Tensor, Tensor> transform)
    {
        ThrowIfDisposed();
        using var noGrad = torch.no_grad();
        var result = new List<KeyValuePair<ParamPath, Tensor>>(_entries.Length);
        foreach (var (path, tensor) in _entries)
        {
            var mapped = transform(tensor);
            // A no-op conversion can hand back the very same handle; give the new map a handle of its own.
            result.Add(new(path, ReferenceEquals(mapped, tensor) ? tensor.alias() : mapped));
        }

        return Create(result);
    }

    /// <summary>A new map with only the entries whose path satisfies <paramref name="predicate"/> (tensors aliased).</summary>
    public TSelf Where(Func<ParamPath, bool> predicate)
    {
        ThrowIfDisposed();
        return Create(_entries.Where(e => predicate(e.Key)).Select(e => new KeyValuePair<ParamPath, Tensor>(e.Key, e.Value.alias())).ToArray());
    }

    /// <summary>True when both maps hold the same paths in the same order with bit-identical tensors (dtype and shape included).</summary>
    public bool BitEquals(TSelf other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < _entries.Length; i++)
        {
            var (pa, ta) = _entries[i];
            var (pb, tb) = other._entries[i];
            if (pa != pb || ta.dtype != tb.dtype || !ta.shape.SequenceEqual(tb.shape))
            {
                return false;
            }

            using var ca = ta.cpu();
            using var cb = tb.cpu();
            if (!ca.bytes.SequenceEqual(cb.bytes))
            {
                return false;
            }
        }

        return true;
    }

    public IEnumerator<KeyValuePair<ParamPath, Tensor>> GetEnumerator()
    {
        ThrowIfDisposed();
        return ((IEnumerable<KeyValuePair<ParamPath, Tensor>>)_entries).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (_, tensor) in _entries)
        {
            tensor.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
