namespace GraphCast.Model.InitialConditions;

/// <summary>
/// One variable of an analytic state on a regular latitude–longitude grid: float32 values in layout
/// <c>[level, lat, lon]</c> (row-major, longitude fastest), with <see cref="Levels"/> = 1 for surface and static fields.
/// </summary>
public sealed class AnalyticField
{
    public AnalyticField(string name, int levels, int latitudes, int longitudes, float[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(data);
        if (levels < 1 || latitudes < 1 || longitudes < 1 || (long)levels * latitudes * longitudes != data.LongLength)
        {
            throw new ArgumentException(
                $"Field '{name}' has {data.LongLength} values, not levels × latitudes × longitudes = {levels} × {latitudes} × {longitudes}.",
                nameof(data));
        }

        Name = name;
        Levels = levels;
        Latitudes = latitudes;
        Longitudes = longitudes;
        Data = data;
    }

    /// <summary>The variable's ERA5 name, e.g. <c>temperature</c>.</summary>
    public string Name { get; }

    /// <summary>Pressure levels of the field, in the order they were asked for; 1 for a surface or static field.</summary>
    public int Levels { get; }

    public int Latitudes { get; }

    public int Longitudes { get; }

    /// <summary>The values, <c>[Levels, Latitudes, Longitudes]</c> flattened row-major.</summary>
    public float[] Data { get; }

    /// <summary>The value at (level index, latitude index, longitude index).</summary>
    public float this[int level, int latitude, int longitude] =>
        Data[(((level * Latitudes) + latitude) * Longitudes) + longitude];
}
