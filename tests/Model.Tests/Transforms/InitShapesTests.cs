using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Transforms;

/// <summary>Shapes-only Init: the tree without values or randomness.</summary>
public sealed class InitShapesTests
{
    [Fact]
    public void InitShapes_needs_no_rng_and_gives_the_same_tree_as_init()
    {
        var model = Transform.Stateless((Tensor x) => new Mlp([8, 4]).Call(x));
        using var x = torch.ones(2, 5);
        using var shapes = model.InitShapes(x);
        using var real = model.Init(RngKey.FromSeed(1), x);
        Assert.Equal(real.Keys, shapes.Keys);
        Assert.All(real, e => Assert.Equal(e.Value.shape, shapes[e.Key].shape));
        Assert.Throws<MissingRngException>(() => model.Init(null, x));
    }
}
