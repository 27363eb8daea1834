using GraphCast.Data.Verification;

namespace GraphCast.Data.Tests.Verification;

/// <summary>Each WeatherBench 2 score against a straightforward computation written out here, on random data.</summary>
public sealed class EnsembleScoresTests
{
    private const int Lat = 7;
    private const int Lon = 12;
    private static readonly double[] Latitudes = [90, 60, 30, 0, -30, -60, -90];

    private static float[] Field(Random random, double scale = 10) =>
        [.. Enumerable.Range(0, Lat * Lon).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];

    /// <summary>Cell areas of a 30° grid with pole caps: sin(upper) − sin(lower), normalised to mean 1.</summary>
    private static double[] Weights()
    {
        double[] bounds = [90, 75, 45, 15, -15, -45, -75, -90];
        var area = Enumerable.Range(0, Lat).Select(i => Math.Sin(bounds[i] * Math.PI / 180) - Math.Sin(bounds[i + 1] * Math.PI / 180)).ToArray();
        return area.Select(a => a / area.Average()).ToArray();
    }

    private static double WeightedMean(Func<int, int, double> value)
    {
        var w = Weights();
        double sum = 0, total = 0;
        for (var i = 0; i < Lat; i++)
        {
            for (var j = 0; j < Lon; j++)
            {
                sum += w[i] * value(i, j);
                total += w[i];
            }
        }

        return sum / total;
    }

    [Fact]
    public void Latitude_weights_are_wb2_cell_areas_normalised_to_mean_one_in_either_order()
    {
        var expected = Weights();
        var actual = EnsembleScores.LatitudeWeights(Latitudes);
        for (var i = 0; i < Lat; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-12);
        }

        Assert.Equal(actual.Reverse(), EnsembleScores.LatitudeWeights(Latitudes.Reverse().ToArray()));
    }

    [Fact]
    public void Every_score_matches_its_definition_on_random_data()
    {
        var random = new Random(11);
        var members = Enumerable.Range(0, 5).Select(_ => Field(random)).ToArray();
        var truth = Field(random);
        var clim = Field(random, 3);
        var score = EnsembleScores.Score(members, truth, clim, Latitudes, Lon);
        double At(float[] x, int i, int j) => x[(i * Lon) + j];
        double MeanAt(int i, int j) => members.Average(m => At(m, i, j));

        var rmse = Math.Sqrt(WeightedMean((i, j) => Math.Pow(MeanAt(i, j) - At(truth, i, j), 2)));
        Assert.Equal(rmse, score.RmseOfMean, 1e-6);
        for (var m = 0; m < members.Length; m++)
        {
            Assert.Equal(Math.Sqrt(WeightedMean((i, j) => Math.Pow(At(members[m], i, j) - At(truth, i, j), 2))), score.RmseOfMembers[m], 1e-9);
        }

        var fo = WeightedMean((i, j) => (MeanAt(i, j) - At(clim, i, j)) * (At(truth, i, j) - At(clim, i, j)));
        var ff = WeightedMean((i, j) => Math.Pow(MeanAt(i, j) - At(clim, i, j), 2));
        var oo = WeightedMean((i, j) => Math.Pow(At(truth, i, j) - At(clim, i, j), 2));
        Assert.Equal(fo / Math.Sqrt(ff * oo), score.Acc!.Value, 1e-6);

        // Fair CRPS from its pairwise form: mean|X − y| − Σ_i Σ_j |X_i − X_j| / (2 M (M − 1)).
        var m5 = members.Length;
        var crps = WeightedMean((i, j) =>
        {
            var skill = members.Average(x => Math.Abs(At(x, i, j) - At(truth, i, j)));
            var pairs = members.Sum(a => members.Sum(b => Math.Abs(At(a, i, j) - At(b, i, j))));
            return skill - (pairs / (2.0 * m5 * (m5 - 1)));
        });
        Assert.Equal(crps, score.Crps, 1e-9);

        var spread = Math.Sqrt(WeightedMean((i, j) => members.Sum(x => Math.Pow(At(x, i, j) - MeanAt(i, j), 2)) / (m5 - 1)));
        Assert.Equal(spread, score.Spread, 1e-9);
        Assert.Equal(spread / rmse, score.SpreadSkillRatio, 1e-6);
        Assert.Equal(5, score.Members);
    }

    [Fact]
    public void A_perfect_forecast_scores_rmse_0_crps_0_and_acc_1()
    {
        var random = new Random(3);
        var truth = Field(random);
        var score = EnsembleScores.Score([truth, truth, truth], truth, Field(random), Latitudes, Lon);
        Assert.Equal(0.0, score.RmseOfMean);
        Assert.All(score.RmseOfMembers, r => Assert.Equal(0.0, r));
        Assert.Equal(0.0, score.Crps);
        Assert.Equal(0.0, score.Spread);
        Assert.Equal(1.0, score.Acc!.Value, 1e-12);
    }

    [Fact]
    public void A_one_member_ensembles_crps_is_its_mean_absolute_error_and_its_spread_is_undefined()
    {
        var random = new Random(5);
        var member = Field(random);
        var truth = Field(random);
        var score = EnsembleScores.Score([member], truth, null, Latitudes, Lon);
        var mae = WeightedMean((i, j) => Math.Abs(member[(i * Lon) + j] - (double)truth[(i * Lon) + j]));
        Assert.Equal(mae, score.Crps, 1e-12);
        Assert.Equal(score.RmseOfMembers[0], score.RmseOfMean, 1e-12);
        Assert.True(double.IsNaN(score.Spread));
        Assert.Null(score.Acc);
    }
}
