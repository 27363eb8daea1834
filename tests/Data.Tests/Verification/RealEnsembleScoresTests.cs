using System.Globalization;
using System.Text.Json;
using GraphCast.Data.Datasets;
using GraphCast.Data.Verification;
using GraphCast.Testing;

namespace GraphCast.Data.Tests.Verification;

/// <summary>
/// The scores of a real ensemble — ERA5's ten-member analysis ensemble (shared data), members 1–9 against the control
/// (member 0) — equal an independent computation: xarray reads the same netCDF file and numpy evaluates WeatherBench 2's
/// definitions written out in the script below (latitude weights from cell bounds, RMSE of the mean, fair CRPS from all
/// member pairs rather than from ranks, spread from the ddof = 1 variance).
/// </summary>
public sealed class RealEnsembleScoresTests
{
    private static readonly string Era5NetCdf = SharedData.File("era5-2017-01-01", "era5-levels-members.nc");

    /// <summary>numpy's scores of one field: ensemble members 1..9 against member 0, float64 throughout.</summary>
    private const string Script = """
        import json, sys
        import numpy as np
        import xarray as xr
        ds = xr.open_dataset(sys.argv[1])
        name, level, time = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
        field = ds[name].sel(level=level).isel(time=time).astype("float64")
        truth = field.sel(number=0).values
        ens = field.sel(number=slice(1, None)).values            # [member, lat, lon]
        lat = ds.latitude.values.astype("float64")
        # WeatherBench 2: cell area between bounds half way between latitudes (±90 at the ends), mean 1.
        bounds = np.concatenate([[90.0], (lat[:-1] + lat[1:]) / 2, [-90.0]])
        area = np.abs(np.sin(np.deg2rad(bounds[:-1])) - np.sin(np.deg2rad(bounds[1:])))
        w = (area / area.mean())[:, None] * np.ones_like(truth)
        mean_w = lambda x: float((w * x).sum() / w.sum())
        m = ens.shape[0]
        # The ensemble mean is a float32 field, as the forecast's own fields (float64 sum, rounded once).
        ens_mean = ens.mean(axis=0).astype("float32").astype("float64")
        pairs = np.abs(ens[:, None] - ens[None, :]).sum(axis=(0, 1))
        crps = np.abs(ens - truth).mean(axis=0) - pairs / (2 * m * (m - 1))
        print(json.dumps({
            "rmse_mean": np.sqrt(mean_w((ens_mean - truth) ** 2)),
            "rmse_member1": np.sqrt(mean_w((ens[0] - truth) ** 2)),
            "crps": mean_w(crps),
            "spread": np.sqrt(mean_w(ens.var(axis=0, ddof=1))),
            "mean_first": ens_mean.ravel()[:5].tolist(),
        }))
        """;

    [Theory]
    [InlineData("z", 500, 2)]
    [InlineData("t", 850, 3)]
    public async Task Scores_of_the_ERA5_ensemble_against_its_control_equal_numpys(string variable, double level, int time)
    {
        using var dataset = GriddedDataset.Open(Era5NetCdf);
        var levelIndex = dataset.Variables.Single(v => v.Name == variable).LevelIndex(level);
        var truth = dataset.ReadField(variable, time, levelIndex, member: 0);
        var members = Enumerable.Range(1, dataset.Members - 1).Select(m => dataset.ReadField(variable, time, levelIndex, m)).ToArray();
        var score = EnsembleScores.Score(members, truth, climatology: null, dataset.Latitudes, dataset.Longitudes.Count);

        using var expected = JsonDocument.Parse(await ExternalTool.RunAsync(
            ExternalTool.Python, "python3-xarray python3-netcdf4", "-c", Script, Era5NetCdf, variable, level.ToString(CultureInfo.InvariantCulture), time.ToString(CultureInfo.InvariantCulture)));
        var e = expected.RootElement;
        Assert.Equal(9, score.Members);
        // Both sum the same float32 inputs in float64, in different orders (and the CRPS by ranks here, by pairs there):
        // agreement to ~1e-12 relative is float64 rounding; a wrong weight, term or ddof would be off by far more.
        AssertClose(e.GetProperty("rmse_mean").GetDouble(), score.RmseOfMean);
        AssertClose(e.GetProperty("rmse_member1").GetDouble(), score.RmseOfMembers[0]);
        AssertClose(e.GetProperty("crps").GetDouble(), score.Crps);
        AssertClose(e.GetProperty("spread").GetDouble(), score.Spread);
        Assert.True(score.Crps > 0 && score.Spread > 0, "a real ensemble has a positive spread and CRPS");

        // The ensemble mean is float32 of the float64 mean: numpy's float64 mean rounds to the same float32 values.
        var mean = EnsembleScores.Mean(members);
        var numpyMean = e.GetProperty("mean_first").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.Equal(numpyMean, mean.Take(numpyMean.Length));
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-11 * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}
