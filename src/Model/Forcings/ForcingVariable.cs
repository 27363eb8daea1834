namespace GraphCast.Model.Forcings;

/// <summary>
/// One named forcing variable as plain float32 data with its dimension names and sizes
/// (e.g. <c>toa_incident_solar_radiation</c>, dims (time, lat, lon)), row-major in the order of the dims.
/// </summary>
public sealed class ForcingVariable
{
    /// <summary>A variable whose data length is the product of its shape, with one dimension name per size.</summary>
    public ForcingVariable(string name, IReadOnlyList<string> dims, IReadOnlyList<int> shape, float[] data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (dims.Count != shape.Count)
        {
            throw new ArgumentException(
                $"Variable '{name}' has {dims.Count} dimension names ({string.Join(", ", dims)}) but {shape.Count} sizes; give one size per dimension.",
                nameof(shape));
        }

        long size = 1;
        foreach (int length in shape)
        {
            if (length < 0)
            {
                throw new ArgumentException($"Variable '{name}' has a negative dimension size {length}.", nameof(shape));
            }

            size *= length;
        }

        if (size != data.Length)
        {
            throw new ArgumentException(
                $"Variable '{name}' with shape [{string.Join(", ", shape)}] needs {size} values; it has {data.Length}.",
                nameof(data));
        }

        Name = name;
        Dims = [.. dims];
        Shape = [.. shape];
        Data = data;
    }

    /// <summary>The variable's name, as in the reference's datasets.</summary>
    public string Name { get; }

    /// <summary>Dimension names, outermost first.</summary>
    public IReadOnlyList<string> Dims { get; }

    /// <summary>Dimension sizes, in the order of <see cref="Dims"/>.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }
}
