namespace GraphCast.Model.Transforms;

/// <summary>
/// Errors raised while a transformed function runs: a parameter Apply cannot find, a shape that disagrees with the
/// parameter map, or randomness requested without an rng. Each names the parameter path.
/// </summary>
public sealed class MissingParameterException : KeyNotFoundException
{
    public MissingParameterException(ParamPath path, string mapKind)
        : base($"Unable to retrieve {mapKind} '{path.Name}' for module '{path.Module}'. All {mapKind}s must be created as " +
               $"part of Init; the map passed to Apply has no '{path}'. Pass the {mapKind}s returned by Init for this " +
               "model and configuration (or a checkpoint written for the same configuration).")
    {
        Path = path;
    }

    /// <summary>The path Apply asked for.</summary>
    public ParamPath Path { get; }
}
