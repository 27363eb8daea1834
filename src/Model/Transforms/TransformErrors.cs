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

/// <summary>A parameter or state tensor whose shape (or dtype) disagrees with what the model asks for.</summary>
public sealed class ParameterShapeException : InvalidOperationException
{
    public ParameterShapeException(ParamPath path, IReadOnlyList<long> expected, IReadOnlyList<long> actual)
        : base($"Parameter '{path}' has shape [{string.Join(", ", actual)}] but the model expects " +
               $"[{string.Join(", ", expected)}]. The parameters were made for another configuration: use a checkpoint " +
               "or Init result of the same model configuration.")
    {
        Path = path;
        Expected = expected.ToArray();
        Actual = actual.ToArray();
    }

    public ParamPath Path { get; }

    public long[] Expected { get; }

    public long[] Actual { get; }
}

/// <summary>Randomness was requested inside a transform that was run without an rng.</summary>
public sealed class MissingRngException : InvalidOperationException
{
    public MissingRngException(string requester)
        : base($"'{requester}' asked for random numbers, but no rng was passed. You must pass a non-null RngKey to Init " +
               "and/or Apply if the model makes use of random numbers (e.g. Apply(parameters, state, RngKey.FromSeed(1), inputs)).")
    {
        Requester = requester;
    }

    /// <summary>The module path (and parameter name) that asked for a key.</summary>
    public string Requester { get; }
}
