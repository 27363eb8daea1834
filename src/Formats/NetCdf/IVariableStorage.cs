namespace GraphCast.Formats.NetCdf;

/// <summary>Where a variable's values live in one file format: reads a hyperslab of them as stored.</summary>
internal interface IVariableStorage
{
    /// <summary>
    /// The values of the box <c>[start, start + count)</c>, C order, as an array of the element type of the variable's
    /// <see cref="NetCdfType"/> (<see cref="NetCdfTypes.ElementType"/>). Arguments are already checked against the shape.
    /// </summary>
    Array Read(long[] start, long[] count);
}
