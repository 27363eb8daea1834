namespace GraphCast.Data.Datasets;

/// <summary>
/// A variable of a gridded dataset: its name in the dataset, what identifies it (CF standard name, GRIB <c>paramId</c>),
/// its units and its pressure levels.
/// </summary>
/// <param name="Name">The dataset's name for it (netCDF variable name, GRIB <c>shortName</c>).</param>
/// <param name="Units">Units as the dataset states them (e.g. <c>K</c>, <c>%</c>, <c>m**2 s**-2</c>); empty when unstated.</param>
/// <param name="LevelsHpa">Pressure levels in hPa in the dataset's order; empty for a surface or static field.</param>
/// <param name="StandardName">The CF <c>standard_name</c>, when stated.</param>
/// <param name="ParamId">The ECMWF GRIB <c>paramId</c>, for GRIB data.</param>
/// <param name="Shape">Its dimensions and their lengths as the file has them, e.g. <c>(time=8, level=6, latitude=19, longitude=36)</c>, when the format has such a thing (netCDF).</param>
public sealed record DatasetVariable(string Name, string Units, IReadOnlyList<double> LevelsHpa, string? StandardName = null, int? ParamId = null, string? Shape = null)
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
