using GraphCast.Formats.NetCdf;

namespace GraphCast.Testing;

/// <summary>
/// The shared IFS sample (<c>ifs-2024-06-03/pl_regular_ll.nc</c>) rewritten as netCDF classic with one variable's values
/// laid out <c>(time, level, longitude, latitude)</c> instead of <c>(time, level, latitude, longitude)</c>: real data in a
/// shape the model cannot read it from, as a hand-made or mis-exported file has it.
/// </summary>
public static class TransposedIfsSample
{
    /// <summary>Writes the sample to <paramref name="path"/> with <paramref name="variable"/> transposed; returns the path.</summary>
    public static string Write(string path, string variable)
    {
        using var ifs = NetCdfDataset.Open(SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc"));
        var writer = new NetCdfClassicWriter();
        foreach (var d in ifs.Dimensions.Values)
        {
            writer.AddDimension(d.Name, d.Length);
        }

        foreach (var v in ifs.Variables.Values)
        {
            var dims = v.DimensionNames.ToArray();
            var attributes = v.Attributes.Values.Where(a => a.Name is not "_FillValue" and not "missing_value");
            if (v.Name != variable)
            {
                writer.AddVariable(v.Name, dims, v.IsCoordinate ? v.ReadDouble() : v.ReadFloat(), attributes);
                continue;
            }

            // [time, level, lat, lon] → [time, level, lon, lat]
            var values = v.ReadFloat();
            var (lat, lon) = ((int)v.Shape[^2], (int)v.Shape[^1]);
            var transposed = new float[values.Length];
            for (var field = 0; field < values.Length / (lat * lon); field++)
            {
                for (var i = 0; i < lat; i++)
                {
                    for (var j = 0; j < lon; j++)
                    {
                        transposed[(field * lat * lon) + (j * lat) + i] = values[(field * lat * lon) + (i * lon) + j];
                    }
                }
            }

            writer.AddVariable(v.Name, [.. dims[..^2], dims[^1], dims[^2]], transposed, attributes);
        }

        writer.Write(path);
        return path;
    }
}
