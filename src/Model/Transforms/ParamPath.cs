namespace GraphCast.Model.Transforms;

/// <summary>
/// The name of one parameter or state tensor: Haiku's module path (segments joined by '/', e.g.
/// <c>grid2mesh_gnn/~_networks_builder/encoder_edges_grid2mesh_mlp/~/linear_0</c>) and the parameter name (<c>w</c>),
/// kept separate as in Haiku's two-level params dictionary.
/// </summary>
public readonly record struct ParamPath : IComparable<ParamPath>
{
    public ParamPath(string module, string name)
    {
        if (string.IsNullOrEmpty(module) || module.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Module path '{module}' must be non-empty and must not contain ':'.", nameof(module));
        }

        if (string.IsNullOrEmpty(name) || name.Contains(':', StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Parameter name '{name}' must be non-empty and contain neither ':' nor '/'.", nameof(name));
        }

        Module = module;
        Name = name;
    }

    /// <summary>The module path, e.g. <c>mlp/~/linear_0</c>.</summary>
    public string Module { get; }

    /// <summary>The parameter name within its module, e.g. <c>w</c>.</summary>
    public string Name { get; }

    /// <summary>Parses <c>module:name</c>, splitting on the last ':' (module paths never contain one).</summary>
    public static ParamPath Parse(string key)
    {
        var i = key.LastIndexOf(':');
        if (i <= 0 || i == key.Length - 1)
        {
            throw new FormatException($"'{key}' is not a parameter key of the form '<module path>:<name>'.");
        }

        return new ParamPath(key[..i], key[(i + 1)..]);
    }

    public int CompareTo(ParamPath other)
    {
        var c = string.CompareOrdinal(Module, other.Module);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    /// <summary><c>module:name</c>, the key used in safetensors files (and, prefixed by <c>params:</c>, in reference .npz files).</summary>
    public override string ToString() => $"{Module}:{Name}";
}
