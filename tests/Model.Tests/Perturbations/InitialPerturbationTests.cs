using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Perturbations;
using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Perturbations;

/// <summary>Initial-condition noise: its amplitude, its spatial correlation, what it touches, and its determinism.</summary>
public sealed class InitialPerturbationTests
{
    private static readonly float[] Lat = Enumerable.Range(0, 37).Select(i => -90f + (5f * i)).ToArray();
    private static readonly float[] Lon = Enumerable.Range(0, 72).Select(j => 5f * j).ToArray();
    private static readonly DateTime Time = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    private static (RolloutCarry Carry, TaskLayout Layout) Analytic()
    {
        var layout = new TaskLayout(Presets.Task13);
        return (InitialCarry.Analytic(layout, Lat, Lon, Time), layout);
    }

    private static Tensor Delta(NoiseKind kind, double lengthKm, long seed, out TaskLayout layout, int frame = 1)
    {
        var (carry, l) = Analytic();
        layout = l;
        using (carry)
        using (var perturbed = InitialPerturbation.Apply(carry, l, NormalizationStats.Identity(l.Task), Lat, Lon, kind, 0.5, lengthKm, RngKey.FromSeed(seed)))
        {
            return (perturbed.Frames[frame] - carry.Frames[frame]).squeeze(1);   // [N, channels]
        }
    }

    [Fact]
    public void Gaussian_noise_has_the_requested_amplitude_and_spares_forcings()
    {
        using var delta = Delta(NoiseKind.Gaussian, 0, 1, out var layout);
        var t = layout.Dynamic["temperature"];
        using var temperature = delta.narrow(1, t.Offset, t.Levels);
        Assert.InRange(temperature.std().item<float>(), 0.48, 0.52);   // 0.5 × stddev 1
        Assert.InRange(Math.Abs(temperature.mean().item<float>()), 0, 0.02);
        foreach (var forcing in layout.Forcings.Variables)
        {
            var b = layout.Dynamic[forcing];
            using var f = delta.narrow(1, b.Offset, b.Levels);
            Assert.Equal(0f, f.abs().max().item<float>());
        }
    }

    [Fact]
    public void Every_input_frame_gets_the_same_noise_and_the_key_alone_decides_it()
    {
        using var a0 = Delta(NoiseKind.Gaussian, 0, 5, out _, frame: 0);
        using var a1 = Delta(NoiseKind.Gaussian, 0, 5, out _, frame: 1);
        using var b1 = Delta(NoiseKind.Gaussian, 0, 6, out _, frame: 1);
        Assert.Equal(0f, (a0 - a1).abs().max().item<float>());
        Assert.NotEqual(0f, (a1 - b1).abs().max().item<float>());
    }

    [Fact]
    public void Correlated_noise_is_smooth_on_the_length_scale_and_has_unit_variance()
    {
        using var delta = Delta(NoiseKind.Correlated, 1000, 3, out var layout);
        var t = layout.Dynamic["2m_temperature"];
        using var field = delta.narrow(1, t.Offset, 1).squeeze(1).reshape(37, 72);   // [lat, lon]
        Assert.InRange(field.std().item<float>(), 0.35, 0.65);
        // Correlation along the equator between points 5° (≈556 km) apart is high; 45° (≈5000 km) apart, near zero.
        var equator = field[18];
        double Correlation(int shift)
        {
            using var b = equator.roll(shift);
            return (equator * b).mean().item<float>() / (equator * equator).mean().item<float>();
        }

        Assert.InRange(Correlation(1), 0.75, 1.0);
        Assert.InRange(Math.Abs(Correlation(9)), 0.0, 0.35);
        using var white = Delta(NoiseKind.Gaussian, 0, 3, out _);
        var w = white.narrow(1, t.Offset, 1).squeeze(1).reshape(37, 72)[18];
        Assert.InRange((w * w.roll(1)).mean().item<float>() / (w * w).mean().item<float>(), -0.35, 0.35);
    }
}
