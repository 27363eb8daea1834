using GraphCast.Data.Datasets;
using GraphCast.Formats.Zarr;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// Opens whatever a user names as data — a netCDF or GRIB file, or a Zarr forecast store folder — as an
/// <see cref="IGriddedDataset"/>.
/// </summary>
public static class DataSources
{
    /// <summary>Opens <paramref name="path"/>: a folder with Zarr consolidated metadata is a forecast store; a file is GRIB or netCDF.</summary>
    /// <exception cref="FileNotFoundException">Nothing there.</exception>
    /// <exception cref="InvalidDataException">Not a format the project reads; the message names the path.</exception>
    public static async Task<IGriddedDataset> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(path))
        {
            if (!File.Exists(Path.Combine(path, ZarrFormat.ConsolidatedKey)))
            {
                throw new InvalidDataException($"'{path}' is a folder but not a Zarr forecast store (it has no {ZarrFormat.ConsolidatedKey}); give a forecast.zarr folder, a netCDF or a GRIB file.");
            }

            return await ZarrForecastDataset.OpenDirectoryAsync(path, cancellationToken).ConfigureAwait(false);
        }

        return GriddedDataset.Open(path);
    }
}
