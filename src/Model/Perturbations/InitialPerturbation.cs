using GraphCast.Model.Fields;
using GraphCast.Model.Modules;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Perturbations;

/// <summary>
/// Perturbs a member's initial condition: noise of standard deviation <c>amplitude × stddev(variable, level)</c> (the
/// normalisation statistics) added to every time-dependent input that the model predicts (forcings are left exact). The same
/// noise field is added to every input frame, so the initial tendency is not corrupted. The noise is drawn from
/// <see cref="RngKey"/> alone: a member's perturbation depends only on its key.
/// </summary>
public static class InitialPerturbation
{
    public const double EarthRadiusKm = 6371.0;

    /// <summary>Returns a new carry with the perturbation added (the input carry is left unchanged).</summary>
    public static RolloutCarry Apply(
        RolloutCarry carry, TaskLayout layout, NormalizationStats stats, float[] latitudes, float[] longitudes,
        NoiseKind kind, double amplitude, double lengthKm, RngKey key)
    {
        if (!(amplitude > 0) || !double.IsFinite(amplitude))
        {
            throw new ArgumentException($"The perturbation amplitude must be a positive fraction of the stddev, not {amplitude}.");
        }

        var channels = new List<long>();
        var scale = new List<float>();
        foreach (var block in layout.Dynamic.Blocks.Where(b => layout.Targets.Contains(b.Variable)))
        {
            var std = stats[block.Variable].Stddev;
            for (var k = 0; k < block.Levels; k++)
            {
                channels.Add(block.ChannelOf(0, k));
                scale.Add((float)(amplitude * std[k]));
            }
        }

        var n = latitudes.Length * longitudes.Length;
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(key.ToSeed());
        var noise = torch.randn([n, channels.Count], ScalarType.Float64, generator: generator);
        if (kind == NoiseKind.Correlated)
        {
            if (!(lengthKm > 0))
            {
                throw new ArgumentException($"A correlated perturbation needs a positive correlation length in km, not {lengthKm}.");
            }

            noise = Smoother(latitudes, longitudes, lengthKm).mm(noise);
        }

        var delta = noise.to(ScalarType.Float32).mul(torch.tensor(scale.ToArray())).unsqueeze(1);  // [N, 1, perturbed channels]
        var index = torch.tensor(channels.ToArray());
        var frames = carry.Frames.Select(f =>
        {
            var copy = f.clone();
            copy.index_add_(2, index, delta.expand(n, f.shape[1], -1).to(f.device), Scalars.One);
            return copy;
        }).ToArray();
        return new RolloutCarry(frames, carry.Static.alias(), carry.Time, carry.Step);
    }

    /// <summary>The sparse Gaussian smoothing operator <c>[N, N]</c>, rows normalised to unit output variance.</summary>
    internal static Tensor Smoother(float[] latitudes, float[] longitudes, double lengthKm)
    {
        var nLat = latitudes.Length;
        var nLon = longitudes.Length;
        var lengthRad = lengthKm / EarthRadiusKm;
        var cutoff = 3 * lengthRad;
        var latR = latitudes.Select(v => v * Math.PI / 180).ToArray();
        var lonR = longitudes.Select(v => v * Math.PI / 180).ToArray();
        var rows = new List<long>[nLat];
        var cols = new List<long>[nLat];
        var vals = new List<double>[nLat];
        Parallel.For(0, nLat, i =>
        {
            var r = new List<long>();
            var c = new List<long>();
            var v = new List<double>();
            var (si, ci) = Math.SinCos(latR[i]);
            for (var k = 0; k < nLat; k++)
            {
                if (Math.Abs(latR[k] - latR[i]) > cutoff)
                {
                    continue;
                }

                var (sk, ck) = Math.SinCos(latR[k]);
                for (var j = 0; j < nLon; j++)
                {
                    for (var l = 0; l < nLon; l++)
                    {
                        var cos = (si * sk) + (ci * ck * Math.Cos(lonR[l] - lonR[j]));
                        var d = Math.Acos(Math.Clamp(cos, -1, 1));
                        if (d <= cutoff)
                        {
                            r.Add((i * nLon) + j);
                            c.Add((k * nLon) + l);
                            v.Add(Math.Exp(-d * d / (2 * lengthRad * lengthRad)));
                        }
                    }
                }
            }

            rows[i] = r;
            cols[i] = c;
            vals[i] = v;
        });

        var allRows = rows.SelectMany(x => x).ToArray();
        var allCols = cols.SelectMany(x => x).ToArray();
        var allVals = vals.SelectMany(x => x).ToArray();
        // Unit variance per output point: divide each row by sqrt(Σ w²).
        var norm = new double[nLat * nLon];
        for (var e = 0; e < allVals.Length; e++)
        {
            norm[allRows[e]] += allVals[e] * allVals[e];
        }

        for (var e = 0; e < allVals.Length; e++)
        {
            allVals[e] /= Math.Sqrt(norm[allRows[e]]);
        }

        var indices = torch.stack([torch.tensor(allRows), torch.tensor(allCols)]);
        return torch.sparse_coo_tensor(indices, torch.tensor(allVals), [nLat * nLon, nLat * nLon]);
    }
}
