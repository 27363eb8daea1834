using GraphCast.Data.InitialConditions;

namespace GraphCast.Data.Datasets;

/// <summary>
/// A gridded dataset as the model's data inputs see it, whatever the file format: variables on one regular latitude–longitude
/// grid, at valid times, optionally on pressure levels and for several ensemble members, read one 2-D field at a time as
/// float32 <c>[lat, lon]</c> in the dataset's own latitude and longitude order.
/// </summary>
/// <remarks>
/// Names are the dataset's own (<c>t</c>, <c>temperature</c>, …): <see cref="DatasetVariableMap"/> maps them to the model's
/// variables. Readers: <see cref="NetCdfGriddedDataset"/> (netCDF-3 and netCDF-4), <see cref="GribDataset"/> (GRIB 1 and
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
    /// Variables that look like fields of this grid (they have its latitude and longitude dimensions) but are laid out in a
    /// way no field can be read from (latitude and longitude not the last two dimensions, or a dimension the reader does not
    /// know); each with its <see cref="DatasetVariable.Shape"/>. A model input among them is refused, never filled in.
    /// </summary>
    IReadOnlyList<DatasetVariable> Misshapen => [];

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
