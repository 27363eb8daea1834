namespace GraphCast.Model.Transforms;

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
