namespace GraphCast.Data.Datasets;

/// <summary>Opens a gridded data file with the reader its first bytes call for: GRIB (ecCodes) or netCDF (classic or netCDF-4).</summary>
public static class GriddedDataset
{
    /// <summary>Opens <paramref name="path"/> as GRIB or netCDF, whatever its extension.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Neither GRIB nor netCDF, or not a gridded dataset; the message names the file.</exception>
    /// <exception cref="DllNotFoundException">A GRIB file, and ecCodes is not installed; the message says what to install.</exception>
    public static IGriddedDataset Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidDataException(
                $"'{path}' is a directory. Files are read here (netCDF, GRIB); a Zarr forecast store is opened through the engine (graphcast forecast --init / verify).");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No data file at '{path}'.", path);
        }

        Span<byte> head = stackalloc byte[4];
        int read;
        using (var file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        // GRIB messages start with "GRIB"; anything else is tried as netCDF, whose reader names the file when it is not.
        return head[..read].SequenceEqual("GRIB"u8) ? GribDataset.Open(path) : NetCdfGriddedDataset.Open(path);
    }
}
