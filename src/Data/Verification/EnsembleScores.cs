namespace GraphCast.Data.Verification;

/// <summary>
/// WeatherBench 2's deterministic and probabilistic scores (graphcast.md §6, <c>weatherbench2/metrics.py</c>) for one field
/// at one time on a regular latitude–longitude grid: latitude-weighted RMSE of the ensemble mean and of each member, ACC
/// against a climatology, the fair CRPS and the spread–skill ratio.
/// </summary>
/// <remarks>
/// Fields are float32 <c>[lat, lon]</c>; sums are float64. Area means are Σ w·x / Σ w with the weights of
/// <see cref="LatitudeWeights"/>. With one time, the per-time RMSE and the time-averaged-MSE RMSE coincide.
/// The spread is not multiplied by √((M+1)/M) (the GenCast paper's finite-ensemble correction): WeatherBench 2 does not.
/// </remarks>
public static class EnsembleScores
{
    /// <summary>
    /// WeatherBench 2's <c>get_lat_weights</c>: cell area ∝ sin(upper bound) − sin(lower bound), bounds half way between
    /// latitudes and ±90° at the ends, normalised to mean 1 over the latitudes (any order).
    /// </summary>
    public static double[] LatitudeWeights(IReadOnlyList<double> latitudes)
    {
        var n = latitudes.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => latitudes[i]).ToArray();
        var weights = new double[n];
        for (var k = 0; k < n; k++)
        {
            var lower = k == 0 ? -90.0 : (latitudes[order[k - 1]] + latitudes[order[k]]) / 2;
            var upper = k == n - 1 ? 90.0 : (latitudes[order[k]] + latitudes[order[k + 1]]) / 2;
            weights[order[k]] = Math.Sin(upper * Math.PI / 180) - Math.Sin(lower * Math.PI / 180);
        }

        var mean = weights.Average();
        return weights.Select(w => w / mean).ToArray();
    }

    /// <summary>The latitude-weighted area mean of <paramref name="value"/>(node) over a <c>[lat, lon]</c> grid.</summary>
    public static double AreaMean(double[] latitudeWeights, int longitudes, Func<int, double> value)
    {
        double sum = 0, weight = 0;
        for (var i = 0; i < latitudeWeights.Length; i++)
        {
            for (var j = 0; j < longitudes; j++)
            {
                sum += latitudeWeights[i] * value((i * longitudes) + j);
                weight += latitudeWeights[i];
            }
        }

        return sum / weight;
    }

    /// <summary>Latitude-weighted RMSE: √(Σ w (f − o)² / Σ w).</summary>
    public static double Rmse(ReadOnlySpan<float> forecast, ReadOnlySpan<float> truth, double[] latitudeWeights, int longitudes)
    {
        var f = forecast.ToArray();
        var o = truth.ToArray();
        return Math.Sqrt(AreaMean(latitudeWeights, longitudes, k => Square(f[k] - (double)o[k])));
    }

    /// <summary>ACC = ⟨f′o′⟩ / √(⟨f′²⟩⟨o′²⟩) with f′ = f − c, o′ = o − c, ⟨·⟩ the weighted area mean.</summary>
    public static double Acc(ReadOnlySpan<float> forecast, ReadOnlySpan<float> truth, ReadOnlySpan<float> climatology, double[] latitudeWeights, int longitudes)
    {
        var f = forecast.ToArray();
        var o = truth.ToArray();
        var c = climatology.ToArray();
        var fo = AreaMean(latitudeWeights, longitudes, k => (f[k] - (double)c[k]) * (o[k] - (double)c[k]));
        var ff = AreaMean(latitudeWeights, longitudes, k => Square(f[k] - (double)c[k]));
        var oo = AreaMean(latitudeWeights, longitudes, k => Square(o[k] - (double)c[k]));
        return fo / Math.Sqrt(ff * oo);
    }

    /// <summary>
    /// The fair CRPS, area-averaged: per point, mean_i |X_i − Y| − ½ · 2·mean_i[(2·rank_i − M − 1)·X_i]/(M − 1), ranks of the
    /// sorted members 1 … M (the PWM estimator of Zamo &amp; Naveau); with one member the spread term is 0 and the CRPS is the MAE.
    /// </summary>
    public static double Crps(IReadOnlyList<float[]> members, ReadOnlySpan<float> truth, double[] latitudeWeights, int longitudes)
    {
        var m = members.Count;
        var o = truth.ToArray();
        var sorted = new double[m];
        return AreaMean(latitudeWeights, longitudes, k =>
        {
            double skill = 0;
            for (var i = 0; i < m; i++)
            {
                sorted[i] = members[i][k];
                skill += Math.Abs(sorted[i] - o[k]);
            }

            skill /= m;
            if (m == 1)
            {
                return skill;
            }

            Array.Sort(sorted);
            double spread = 0;
            for (var i = 0; i < m; i++)
            {
                spread += ((2.0 * (i + 1)) - m - 1) * sorted[i];
            }

            spread = 2.0 * (spread / m) / (m - 1);
            return skill - (0.5 * spread);
        });
    }

    /// <summary>√(area mean of the unbiased (ddof = 1) ensemble variance); NaN for one member.</summary>
    public static double Spread(IReadOnlyList<float[]> members, double[] latitudeWeights, int longitudes)
    {
        var m = members.Count;
        if (m < 2)
        {
            return double.NaN;
        }

        return Math.Sqrt(AreaMean(latitudeWeights, longitudes, k =>
        {
            double mean = 0;
            for (var i = 0; i < m; i++)
            {
                mean += members[i][k];
            }

            mean /= m;
            double variance = 0;
            for (var i = 0; i < m; i++)
            {
                variance += Square(members[i][k] - mean);
            }

            return variance / (m - 1);
        }));
    }

    /// <summary>The ensemble mean, float32 (summed in float64).</summary>
    public static float[] Mean(IReadOnlyList<float[]> members)
    {
        var result = new float[members[0].Length];
        for (var k = 0; k < result.Length; k++)
        {
            double sum = 0;
            foreach (var member in members)
            {
                sum += member[k];
            }

            result[k] = (float)(sum / members.Count);
        }

        return result;
    }

    /// <summary>Every score of an ensemble (<c>members[i]</c> = <c>[lat, lon]</c>) against <paramref name="truth"/>.</summary>
    public static EnsembleScore Score(IReadOnlyList<float[]> members, float[] truth, float[]? climatology, IReadOnlyList<double> latitudes, int longitudes)
    {
        if (members.Count == 0)
        {
            throw new ArgumentException("Scoring needs at least one member.", nameof(members));
        }

        var weights = LatitudeWeights(latitudes);
        var mean = Mean(members);
        var rmse = Rmse(mean, truth, weights, longitudes);
        var spread = Spread(members, weights, longitudes);
        return new EnsembleScore(
            members.Count,
            rmse,
            members.Select(m => Rmse(m, truth, weights, longitudes)).ToArray(),
            climatology is null ? null : Acc(mean, truth, climatology, weights, longitudes),
            Crps(members, truth, weights, longitudes),
            spread,
            spread / rmse);
    }

    private static double Square(double x) => x * x;
}
