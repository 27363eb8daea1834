namespace GraphCast.Model.Configuration;

/// <summary>The kinds of <see cref="RegionModelSource"/>.</summary>
public enum RegionModelKind
{
    /// <summary>A cut-out of the parent's fields; no model runs.</summary>
    None,

    /// <summary>Random weights from a seed.</summary>
    Seed,

    /// <summary>Weights from a safetensors or npz file.</summary>
    File,
}
