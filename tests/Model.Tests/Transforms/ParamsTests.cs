using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Transforms;

/// <summary>The Params/State maps: order, counts, device and dtype conversions, ownership.</summary>
public sealed class ParamsTests
{
    private static Params InitMlp(int seed = 0)
    {
        var model = Transform.Stateless((Tensor x) => new LayerNorm().Call(new Mlp([8, 4]).Call(x)));
        using var x = torch.ones(2, 5);
        return model.Init(RngKey.FromSeed(seed), x);
    }

    [Fact]
    public void Iteration_order_is_creation_order_and_counts_are_exact()
    {
        using var p = InitMlp();
        Assert.Equal(
            ["mlp/~/linear_0:w", "mlp/~/linear_0:b", "mlp/~/linear_1:w", "mlp/~/linear_1:b", "layer_norm:scale", "layer_norm:offset"],
            p.Keys.Select(k => k.ToString()));
        Assert.Equal(["mlp/~/linear_0", "mlp/~/linear_1", "layer_norm"], p.Modules);
        Assert.Equal(6, p.Count);
        Assert.Equal((5 * 8) + 8 + (8 * 4) + 4 + 4 + 4, p.TotalElements);
        Assert.Equal(4 * p.TotalElements, p.TotalBytes);
    }

    [Fact]
    public void Casting_returns_a_new_map_and_leaves_the_original()
    {
        using var p = InitMlp();
        using var half = p.To(ScalarType.BFloat16);
        Assert.All(half, e => Assert.Equal(ScalarType.BFloat16, e.Value.dtype));
        Assert.All(p, e => Assert.Equal(ScalarType.Float32, e.Value.dtype));
        Assert.Equal(p.Keys, half.Keys);
        using var back = half.To(ScalarType.Float32);
        Assert.Equal(p.TotalElements, back.TotalElements);
    }

    [Fact]
    public void A_no_op_conversion_gives_independent_handles()
    {
        var p = InitMlp();
        var copy = p.To(CPU);
        Assert.True(copy.BitEquals(p));
        p.Dispose();
        // The copy still owns live tensors after the original is disposed.
        Assert.Equal(8, copy["mlp/~/linear_0", "b"].shape[0]);
        Assert.Equal(0f, copy["mlp/~/linear_0", "b"].sum().item<float>());
        copy.Dispose();
        Assert.Throws<ObjectDisposedException>(() => copy["layer_norm", "scale"]);
    }

    [Fact]
    public void Missing_keys_name_the_path()
    {
        using var p = InitMlp();
        var error = Assert.Throws<KeyNotFoundException>(() => p["mlp/~/linear_9", "w"]);
        Assert.Contains("mlp/~/linear_9:w", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_paths_are_rejected()
    {
        using var t = torch.zeros(1);
        var path = new ParamPath("a", "w");
        Assert.Throws<ArgumentException>(() => new Params([new(path, t), new(path, t)]));
    }
}
