using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Transforms;

/// <summary>The Init/Apply contract of the transform: purity, determinism, rng and parameter errors, state.</summary>
public sealed class TransformTests
{
    private static Tensor Batch(long rows = 3, long cols = 5, int seed = 7)
    {
        using var g = new Generator((ulong)seed);
        return torch.randn([rows, cols], generator: g);
    }

    private static TransformedWithState<Tensor, Tensor> SmallMlp() =>
        Transform.WithState((Tensor x) => new Mlp([8, 4], t => nn.functional.silu(t)).Call(x));

    [Fact]
    public void Constructing_a_module_outside_a_transform_throws_the_dedicated_exception()
    {
        var error = Assert.Throws<ModuleOutsideTransformException>(() => new Mlp([8, 4]));
        Assert.Equal(typeof(Mlp), error.ModuleType);
        Assert.Contains("must be constructed inside a transform", error.Message, StringComparison.Ordinal);
        Assert.Contains("Transform.WithState", error.Message, StringComparison.Ordinal);
        Assert.Contains(".Init(", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Using_a_module_after_its_transform_returned_throws()
    {
        Linear? leaked = null;
        var model = Transform.Stateless((Tensor x) =>
        {
            leaked = new Linear(2);
            return leaked.Call(x);
        });
        using var x = Batch();
        using var p = model.Init(RngKey.FromSeed(1), x);
        Assert.NotNull(leaked);
        Assert.Throws<ModuleOutsideTransformException>(() => leaked!.Call(x));
    }

    [Fact]
    public void Init_with_one_seed_is_bit_identical_and_different_seeds_differ()
    {
        var model = SmallMlp();
        using var x = Batch();
        var (p1, s1) = model.Init(RngKey.FromSeed(42), x);
        var (p2, s2) = model.Init(RngKey.FromSeed(42), x);
        var (p3, s3) = model.Init(RngKey.FromSeed(43), x);
        using (p1)
        using (p2)
        using (p3)
        {
            Assert.True(p1.BitEquals(p2));
            Assert.False(p1.BitEquals(p3));
            Assert.Equal(0, s1.Count + s2.Count + s3.Count);
        }
    }

    [Fact]
    public void Apply_is_repeatable_and_uses_the_given_params()
    {
        var model = SmallMlp();
        using var x = Batch();
        var (p, s) = model.Init(RngKey.FromSeed(0), x);
        using (p)
        using (s)
        {
            var (y1, _) = model.Apply(p, s, null, x);
            var (y2, _) = model.Apply(p, s, null, x);
            Assert.Equal(new long[] { 3, 4 }, y1.shape);
            Assert.Equal(y1.bytes.ToArray(), y2.bytes.ToArray());

            // The same function computed by hand from the params: x @ w0 + b0 → silu → @ w1 + b1.
            using var scope = torch.NewDisposeScope();
            var h = nn.functional.silu(x.matmul(p["mlp/~/linear_0", "w"]).add(p["mlp/~/linear_0", "b"]));
            var expected = h.matmul(p["mlp/~/linear_1", "w"]).add(p["mlp/~/linear_1", "b"]);
            Assert.Equal(expected.bytes.ToArray(), y1.bytes.ToArray());
            y1.Dispose();
            y2.Dispose();
        }
    }

    [Fact]
    public void Linear_weights_are_stored_in_by_out_and_truncated_at_two_sigma()
    {
        var model = Transform.Stateless((Tensor x) => new Linear(64).Call(x));
        using var x = torch.zeros(1, 256);
        using var p = model.Init(RngKey.FromSeed(3), x);
        var w = p["linear", "w"];
        Assert.Equal(new long[] { 256, 64 }, w.shape);
        Assert.Equal(ScalarType.Float32, w.dtype);
        var sigma = 1.0 / Math.Sqrt(256);
        var values = w.data<float>().ToArray();
        Assert.All(values, v => Assert.InRange(Math.Abs(v), 0.0, 2 * sigma + 1e-7));
        var mean = values.Average();
        var std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        // A normal truncated at ±2σ has standard deviation 0.8796σ.
        Assert.InRange(std / sigma, 0.86, 0.90);
        Assert.InRange(Math.Abs(mean) / sigma, 0.0, 0.03);
        Assert.All(p["linear", "b"].data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Initializers_without_an_rng_fail_naming_the_parameter()
    {
        var model = SmallMlp();
        using var x = Batch();
        var error = Assert.Throws<MissingRngException>(() => model.Init(null, x));
        Assert.Equal("mlp/~/linear_0:w", error.Requester);
        Assert.Contains("non-null RngKey", error.Message, StringComparison.Ordinal);
    }

    private sealed class Dropout : Module
    {
        public Tensor Call(Tensor x)
        {
            using var g = new Generator(NextRngKey().ToSeed());
            return x.mul(torch.rand(x.shape, generator: g).ge(0.5).to(x.dtype));
        }
    }

    [Fact]
    public void Randomness_in_apply_needs_an_rng_and_is_determined_by_it()
    {
        var model = Transform.Stateless((Tensor x) => new Dropout().Call(x));
        using var x = torch.ones(100);
        using var p = model.Init(RngKey.FromSeed(0), x);
        Assert.Empty(p);
        var error = Assert.Throws<MissingRngException>(() => model.Apply(p, null, x));
        Assert.Equal("dropout", error.Requester);

        using var a = model.Apply(p, RngKey.FromSeed(5), x);
        using var b = model.Apply(p, RngKey.FromSeed(5), x);
        using var c = model.Apply(p, RngKey.FromSeed(6), x);
        Assert.Equal(a.bytes.ToArray(), b.bytes.ToArray());
        Assert.NotEqual(a.bytes.ToArray(), c.bytes.ToArray());
    }

    [Fact]
    public void Apply_with_a_missing_parameter_names_its_path()
    {
        var model = SmallMlp();
        using var x = Batch();
        var (p, s) = model.Init(RngKey.FromSeed(0), x);
        using var partial = p.Where(path => path.Module != "mlp/~/linear_1");
        var error = Assert.Throws<MissingParameterException>(() => model.Apply(partial, s, null, x));
        Assert.Equal(new ParamPath("mlp/~/linear_1", "w"), error.Path);
        Assert.Contains("'w' for module 'mlp/~/linear_1'", error.Message, StringComparison.Ordinal);
        p.Dispose();
        s.Dispose();
    }

    [Fact]
    public void Apply_with_a_misshapen_parameter_names_its_path_and_both_shapes()
    {
        var model = SmallMlp();
        using var x = Batch();
        using var wider = Batch(3, 6);
        var (p, s) = model.Init(RngKey.FromSeed(0), x);
        var error = Assert.Throws<ParameterShapeException>(() => model.Apply(p, s, null, wider));
        Assert.Equal("mlp/~/linear_0:w", error.Path.ToString());
        Assert.Equal(new long[] { 6, 8 }, error.Expected);
        Assert.Equal(new long[] { 5, 8 }, error.Actual);
        p.Dispose();
        s.Dispose();
    }

    private sealed class Counter : Module
    {
        public Tensor Call(Tensor x)
        {
            var count = GetState("count", [], Initializers.Zeros);
            SetState("count", count.add(1));
            return x.add(count);
        }
    }

    [Fact]
    public void State_is_created_by_init_and_threaded_through_apply()
    {
        var model = Transform.WithState((Tensor x) => new Counter().Call(x));
        using var x = torch.zeros(2);
        var (p, s0) = model.Init(null, x);
        Assert.Empty(p);
        Assert.Equal(new[] { new ParamPath("counter", "count") }, s0.Keys);
        Assert.Equal(0f, s0["counter", "count"].item<float>());

        var (y1, s1) = model.Apply(p, s0, null, x);
        var (y2, s2) = model.Apply(p, s1, null, x);
        Assert.Equal(new[] { 0f, 0f }, y1.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 1f }, y2.data<float>().ToArray());
        Assert.Equal(2f, s2["counter", "count"].item<float>());
        // The old state is untouched by Apply (pure function).
        Assert.Equal(0f, s0["counter", "count"].item<float>());
        s0.Dispose();
        Assert.Equal(1f, s1["counter", "count"].item<float>());

        var stateless = Transform.Stateless((Tensor t) => new Counter().Call(t));
        Assert.Throws<InvalidOperationException>(() => stateless.Init(null, x));
        foreach (var d in new IDisposable[] { p, s1, s2, y1, y2 })
        {
            d.Dispose();
        }
    }

    [Fact]
    public void Parameters_can_be_read_in_another_dtype_while_the_master_copy_stays()
    {
        var model = Transform.Stateless((Tensor x) =>
            Transform.WithParameterDtype(ScalarType.BFloat16, () => new Linear(3).Call(x.to(ScalarType.BFloat16))));
        using var x = Batch();
        using var p = model.Init(RngKey.FromSeed(1), x);
        Assert.Equal(ScalarType.Float32, p["linear", "w"].dtype);
        using var y = model.Apply(p, null, x);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
    }
}
