using System.Globalization;

namespace GraphCast.Formats.Npy;

/// <summary>The reference <c>checkpoint.py</c> flattening: a tree of dicts, lists and arrays ↔ one flat map of ':'-joined keys to arrays.</summary>
/// <remarks>
/// Rules, as <c>_flatten</c>/<c>_unflatten</c> apply them: keys are joined with ':'; a dict field whose value is
/// null (Python None) is omitted; a list or tuple becomes the keys "0", "1", …; an empty dict or list yields no
/// keys. Unflattening cannot tell lists from dicts (the reference recovers them from the target type), so every
/// inner node comes back as a <see cref="NpzDict"/> whose list getters order children by integer index.
/// A GraphCast checkpoint's params are <c>params:{module path}:{param name}</c>; module paths contain '/' and '~'
/// but never ':'.
/// </remarks>
public static class NpzTree
{
    /// <summary>The separator of flat keys.</summary>
    public const char Separator = ':';

    /// <summary>The top-level key under which a checkpoint stores its Haiku params.</summary>
    public const string ParamsKey = "params";

    /// <summary>Flattens <paramref name="tree"/> (a dict or list) into flat keys in depth-first insertion order, as <c>np.savez(**_flatten(tree))</c> stores it.</summary>
    /// <exception cref="ArgumentException">The root is a leaf, or two paths flatten to the same key.</exception>
    public static OrderedDictionary<string, NpyArray> Flatten(NpzNode tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (tree is NpzLeaf)
        {
            throw new ArgumentException("The root of a checkpoint tree must be a dict or a list, not an array.", nameof(tree));
        }

        var flat = new OrderedDictionary<string, NpyArray>(StringComparer.Ordinal);
        FlattenInto(flat, prefix: null, tree);
        return flat;
    }

    /// <summary>Rebuilds the tree of <paramref name="flat"/> keys (as read from an .npz), each ':'-separated segment one level, in first-seen order.</summary>
    /// <exception cref="InvalidDataException">A key is both an array and the prefix of other keys.</exception>
    public static NpzDict Unflatten(IEnumerable<KeyValuePair<string, NpyArray>> flat)
    {
        ArgumentNullException.ThrowIfNull(flat);
        var root = new NpzDict();
        foreach ((string key, NpyArray array) in flat)
        {
            string[] segments = key.Split(Separator);
            var node = root;
            for (int depth = 0; depth < segments.Length - 1; depth++)
            {
                string segment = segments[depth];
                if (!node.TryGetValue(segment, out var child))
                {
                    child = new NpzDict(string.Join(Separator, segments, 0, depth + 1));
                    node.Add(segment, child);
                }

                node = child as NpzDict ?? throw new InvalidDataException(
                    $"The checkpoint key '{key}' nests under '{string.Join(Separator, segments, 0, depth + 1)}', which is itself an array.");
            }

            string leafKey = segments[^1];
            if (node.ContainsKey(leafKey))
            {
                throw new InvalidDataException(node[leafKey] is NpzDict
                    ? $"The checkpoint key '{key}' is an array but also the prefix of other keys."
                    : $"The checkpoint key '{key}' appears twice.");
            }

            node.Add(leafKey, array);
        }

        return root;
    }

    /// <summary>Splits a flat params key <c>params:{module path}:{param name}</c> on its last ':' into the Haiku module path and parameter name.</summary>
    /// <exception cref="ArgumentException">The key does not start with <c>params:</c> or has an empty module path or name.</exception>
    public static (string ModulePath, string ParamName) SplitParamsKey(string flatKey)
    {
        ArgumentNullException.ThrowIfNull(flatKey);
        string prefix = ParamsKey + Separator;
        int last = flatKey.LastIndexOf(Separator);
        if (!flatKey.StartsWith(prefix, StringComparison.Ordinal) || last <= prefix.Length || last == flatKey.Length - 1)
        {
            throw new ArgumentException(
                $"'{flatKey}' is not a params key; expected 'params:<module path>:<param name>', e.g. 'params:mesh_gnn/~_networks_builder/encoder_edges_mesh_mlp/~/linear_0:w'.",
                nameof(flatKey));
        }

        return (flatKey[prefix.Length..last], flatKey[(last + 1)..]);
    }

    /// <summary>The flat key of a Haiku parameter: <c>params:{module path}:{param name}</c>.</summary>
    /// <exception cref="ArgumentException">Either part is empty, or the name contains ':'.</exception>
    public static string JoinParamsKey(string modulePath, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(modulePath);
        ArgumentException.ThrowIfNullOrEmpty(paramName);
        if (paramName.Contains(Separator, StringComparison.Ordinal) || modulePath.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Module path '{modulePath}' and param name '{paramName}' must not contain '{Separator}'.");
        }

        return $"{ParamsKey}{Separator}{modulePath}{Separator}{paramName}";
    }

    private static void FlattenInto(OrderedDictionary<string, NpyArray> flat, string? prefix, NpzNode node)
    {
        switch (node)
        {
            case NpzLeaf leaf:
                if (prefix is null || !flat.TryAdd(prefix, leaf.Array))
                {
                    throw new ArgumentException($"Two entries of the tree flatten to the key '{prefix}'.", nameof(node));
                }

                break;
            case NpzDict dict:
                foreach ((string key, NpzNode? child) in dict)
                {
                    // A None field of a dataclass is left out; loading restores it as None.
                    if (child is not null)
                    {
                        FlattenInto(flat, Join(prefix, key), child);
                    }
                }

                break;
            case NpzList list:
                for (int i = 0; i < list.Count; i++)
                {
                    FlattenInto(flat, Join(prefix, i.ToString(CultureInfo.InvariantCulture)), list[i]);
                }

                break;
            default:
                throw new ArgumentException($"Unknown checkpoint node {node.GetType().Name}.", nameof(node));
        }
    }

    private static string Join(string? prefix, string key) => prefix is null ? key : $"{prefix}{Separator}{key}";
}
