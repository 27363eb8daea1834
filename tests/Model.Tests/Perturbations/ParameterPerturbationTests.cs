using GraphCast.Model.Perturbations;
using GraphCast.Model.Tests.Predictors;
using GraphCast.Model.Transforms;
using TorchSharp;

namespace GraphCast.Model.Tests.Perturbations;

/// <summary>Perturbed parameters: reproducible from the key, only the matching tensors change, by the scale asked for.</summary>
public sealed class ParameterPerturbationTests
{
    [Fact]
    public void The_same_key_gives_the_same_parameters_and_only_matching_tensors_change()
    {
        using var predictor = TinyModel.Predictor();
        using var p = predictor.Init(RngKey.FromSeed(1));
        var perturbation = ParameterPerturbation.Parse("gaussian:0.1:^mesh_gnn/");
        using var a = perturbation.Apply(p, RngKey.FromSeed(9));
        using var b = perturbation.Apply(p, RngKey.FromSeed(9));
        using var c = perturbation.Apply(p, RngKey.FromSeed(10));
        Assert.True(a.BitEquals(b));
        Assert.False(a.BitEquals(c));
        var changed = 0;
        foreach (var (path, original) in p)
        {
            var values = original.to(torch.float64);
            var std = values.std().item<double>();
            var delta = (a[path].to(torch.float64) - values).abs().max().item<double>();
            if (path.Module.StartsWith("mesh_gnn/", StringComparison.Ordinal) && std > 0)
            {
                changed++;
                Assert.True(delta > 0, $"{path} unchanged");
                // Noise of std 0.1 × std(tensor): nothing near 10 × that.
                Assert.True(delta < std, $"{path}: change {delta} against std {std}");
            }
            else
            {
                Assert.Equal(0.0, delta);
            }
        }

        Assert.True(changed > 0);
    }

    [Theory]
    [InlineData("uniform:0.1", "is not gaussian:SCALE[:PATTERN]")]
    [InlineData("gaussian:0", "the scale must be a number above 0 and at most 1")]
    [InlineData("gaussian:2", "the scale must be a number above 0 and at most 1")]
    [InlineData("gaussian:0.1:[", "is not a regular expression")]
    public void Bad_recipes_are_refused_naming_the_form(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ParameterPerturbation.Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recipe_prints_as_it_was_given()
    {
        Assert.Equal("gaussian:0.01:^mesh_gnn/", ParameterPerturbation.Parse("gaussian:0.01:^mesh_gnn/").ToString());
    }
}
