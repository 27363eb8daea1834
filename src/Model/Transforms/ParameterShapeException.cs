namespace GraphCast.Model.Transforms;

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
