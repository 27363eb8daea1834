namespace GraphCast.Model.Data;

/// <summary>
/// A gridded dataset as the model's data inputs see it, whatever the file format: variables on one regular latitude–longitude
/// grid, at valid times, optionally on pressure levels and for several ensemble members, read one 2-D field at a time as
/// float32 <c>[lat, lon]</c> in the dataset's own latitude and longitude order.
/// </summary>
/// <remarks>
/// Names are the dataset's own (<c>t</c>, <c>temperature</c>, …): <see cref="DatasetVariableMap"/> maps them to the model's
/// variables. Readers: <see cref="NetCdfGriddedDataset"/> (netCDF-3 and netCDF-4), <see cref="Grib.GribDataset"/> (GRIB 1 and
/// 2 through ecCodes) and, in the engine, the project's Zarr forecast stores. <see cref="GriddedDataset.Open"/> picks one.
/// </remarks>
public interface IGriddedDataset : IDisposable
{
    /// <summary>Where the data comes from (a path), for messages.</summary>
    string Source { get; }

    /// <summary>Grid latitudes in degrees north, in the order fields hold them (ascending or descending).</summary>
    IReadOnlyList<double> Latitudes { get; }

    /// <summary>Grid longitudes in degrees east, in the order fields hold them.</summary>
    IReadOnlyList<double> Longitudes { get; }

    /// <summary>Valid times (UTC), ascending.</summary>
    IReadOnlyList<DateTime> Times { get; }

    /// <summary>Ensemble members (1 when the dataset has no member dimension).</summary>
    int Members { get; }

    /// <summary>The data variables (not coordinates), in the dataset's order.</summary>
    IReadOnlyList<DatasetVariable> Variables { get; }

    /// <summary>
    /// One field: float32 <c>[lat, lon]</c> (longitude fastest, the dataset's orders), missing values as NaN.
    /// </summary>
    /// <param name="variable">A name from <see cref="Variables"/>.</param>
    /// <param name="time">Index into <see cref="Times"/>.</param>
    /// <param name="level">Index into the variable's <see cref="DatasetVariable.LevelsHpa"/>; 0 for a field without levels.</param>
    /// <param name="member">Ensemble member index, 0 … <see cref="Members"/> − 1.</param>
    /// <exception cref="KeyNotFoundException">The dataset lacks that field (e.g. a GRIB file without that message).</exception>
    float[] ReadField(string variable, int time, int level = 0, int member = 0);
}

/// <summary>
/// A variable of a gridded dataset: its name in the dataset, what identifies it (CF standard name, GRIB <c>paramId</c>),
/// its units and its pressure levels.
/// </summary>
/// <param name="Name">The dataset's name for it (netCDF variable name, GRIB <c>shortName</c>).</param>
/// <param name="Units">Units as the dataset states them (e.g. <c>K</c>, <c>%</c>, <c>m**2 s**-2</c>); empty when unstated.</param>
/// <param name="LevelsHpa">Pressure levels in hPa in the dataset's order; empty for a surface or static field.</param>
/// <param name="StandardName">The CF <c>standard_name</c>, when stated.</param>
/// <param name="ParamId">The ECMWF GRIB <c>paramId</c>, for GRIB data.</param>
public sealed record DatasetVariable(string Name, string Units, IReadOnlyList<double> LevelsHpa, string? StandardName = null, int? ParamId = null)
{
    public bool HasLevels => LevelsHpa.Count > 0;

    /// <summary>The index of <paramref name="hPa"/> in <see cref="LevelsHpa"/>, or −1.</summary>
    public int LevelIndex(double hPa)
    {
        for (var i = 0; i < LevelsHpa.Count; i++)
        {
            if (Math.Abs(LevelsHpa[i] - hPa) < 1e-6)
            {
                return i;
            }
        }

        return -1;
    }

    public override string ToString() => HasLevels ? $"{Name} [{Units}] on {string.Join("/", LevelsHpa)} hPa" : $"{Name} [{Units}]";
}
