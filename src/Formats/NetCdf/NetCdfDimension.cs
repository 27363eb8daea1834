namespace GraphCast.Formats.NetCdf;

/// <summary>
/// A named dimension of a netCDF dataset. <see cref="Length"/> of an unlimited (record) dimension is its current length:
/// the number of records written.
/// </summary>
public sealed record NetCdfDimension(string Name, long Length, bool IsUnlimited = false)
{
    public override string ToString() => IsUnlimited ? $"{Name} = UNLIMITED ({Length})" : $"{Name} = {Length}";
}
