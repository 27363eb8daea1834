using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Transforms;

/// <summary>Haiku's module naming: paths, ~/ and ~method/ segments, de-duplication, and the GraphCast key layout.</summary>
public sealed class NamingTests
{
    private static string[] Keys(Func<Tensor, Tensor> body, long width = 4)
    {
        var model = Transform.Stateless(body);
        using var x = torch.ones(2, width);
        using var p = model.Init(RngKey.FromSeed(0), x);
        return p.Keys.Select(k => k.ToString()).ToArray();
    }

    [Theory]
    [InlineData("Linear", "linear")]
    [InlineData("LayerNorm", "layer_norm")]
    [InlineData("MLP", "mlp")]
    [InlineData("Mlp", "mlp")]
    [InlineData("GraphCast", "graph_cast")]
    [InlineData("DeepTypedGraphNet", "deep_typed_graph_net")]
    [InlineData("Conv2D", "conv2_d")]
    public void Default_names_are_snake_case_of_the_class(string type, string expected) =>
        Assert.Equal(expected, Module.SnakeCase(type));

    [Fact]
    public void Submodules_created_in_a_constructor_get_a_tilde_segment() =>
        Assert.Equal(
            ["mlp/~/linear_0:w", "mlp/~/linear_0:b", "mlp/~/linear_1:w", "mlp/~/linear_1:b"],
            Keys(x => new Mlp([3, 2]).Call(x)));

    [Fact]
    public void Repeated_names_in_one_scope_get_numbered_suffixes() =>
        Assert.Equal(
            ["linear:w", "linear:b", "linear_1:w", "linear_1:b", "linear_2:w", "linear_2:b", "layer_norm:scale", "layer_norm:offset"],
            Keys(x =>
            {
                // Constructed in this order (a nested expression would construct the outer module first).
                var first = new Linear(4);
                var second = new Linear(4);
                var third = new Linear(4);
                return new LayerNorm().Call(third.Call(second.Call(first.Call(x))));
            }));

    [Fact]
    public void Explicit_names_replace_the_default()
    {
        Assert.Equal(["encoder:w", "encoder:b"], Keys(x => new Linear(3, name: "encoder").Call(x)));
        Assert.Equal(["my_mlp/~/linear_0:w", "my_mlp/~/linear_0:b"], Keys(x => new Mlp([3], name: "my_mlp").Call(x)));
    }

    /// <summary>Creates its submodule while being called: Haiku names it parent/child, without a tilde.</summary>
    private sealed class Block : Module
    {
        public Block(string? name = null)
            : base(name)
        {
        }

        public Tensor Call(Tensor x)
        {
            using (MethodScope())
            {
                return new Linear(x.shape[^1]).Call(x);
            }
        }
    }

    [Fact]
    public void Submodules_created_in_call_are_nested_without_tilde_and_reused_across_calls()
    {
        Assert.Equal(["block/linear:w", "block/linear:b"], Keys(x =>
        {
            var block = new Block();
            return block.Call(block.Call(x));
        }));

        // Two distinct blocks are two modules.
        Assert.Equal(["block/linear:w", "block/linear:b", "block_1/linear:w", "block_1/linear:b"],
            Keys(x =>
            {
                var first = new Block();
                var second = new Block();
                return second.Call(first.Call(x));
            }));
    }

    /// <summary>Mirrors DeepTypedGraphNet: networks built in the named method <c>_networks_builder</c>.</summary>
    private sealed class GraphNet : Module
    {
        private readonly int _steps;

        public GraphNet(int steps, string name)
            : base(name)
        {
            _steps = steps;
        }

        public Tensor Call(Tensor edges)
        {
            using (MethodScope("_networks_builder"))
            {
                Tensor Embed(string what, Tensor x) => new LayerNorm(name: what + "_layer_norm").Call(new Mlp([4, 4], name: what + "_mlp").Call(x));
                var e = Embed("encoder_edges_mesh", edges);
                for (var i = 0; i < _steps; i++)
                {
                    e = e.add(Embed($"processor_edges_{i}_mesh", e));
                }

                return new Mlp([4, 2], name: "decoder_nodes_grid_nodes_mlp").Call(e);
            }
        }
    }

    [Fact]
    public void The_reference_graphcast_key_layout_is_expressible()
    {
        var keys = Keys(x => new GraphNet(2, "mesh_gnn").Call(x));
        const string P = "mesh_gnn/~_networks_builder/";
        string[] Mlp(string n) => [$"{P}{n}_mlp/~/linear_0:w", $"{P}{n}_mlp/~/linear_0:b", $"{P}{n}_mlp/~/linear_1:w", $"{P}{n}_mlp/~/linear_1:b"];
        string[] Ln(string n) => [$"{P}{n}_layer_norm:scale", $"{P}{n}_layer_norm:offset"];
        string[] expected =
        [
            .. Mlp("encoder_edges_mesh"), .. Ln("encoder_edges_mesh"),
            .. Mlp("processor_edges_0_mesh"), .. Ln("processor_edges_0_mesh"),
            .. Mlp("processor_edges_1_mesh"), .. Ln("processor_edges_1_mesh"),
            $"{P}decoder_nodes_grid_nodes_mlp/~/linear_0:w", $"{P}decoder_nodes_grid_nodes_mlp/~/linear_0:b",
            $"{P}decoder_nodes_grid_nodes_mlp/~/linear_1:w", $"{P}decoder_nodes_grid_nodes_mlp/~/linear_1:b",
        ];
        Assert.Equal(expected, keys);
        // The reference's first key, verbatim (graphcast.md §4), has exactly this form.
        Assert.Contains("mesh_gnn/~_networks_builder/encoder_edges_mesh_mlp/~/linear_0:w", keys);
    }

    [Fact]
    public void Param_paths_split_on_the_last_colon()
    {
        var path = ParamPath.Parse("grid2mesh_gnn/~_networks_builder/encoder_edges_grid2mesh_mlp/~/linear_0:w");
        Assert.Equal("grid2mesh_gnn/~_networks_builder/encoder_edges_grid2mesh_mlp/~/linear_0", path.Module);
        Assert.Equal("w", path.Name);
        Assert.Throws<FormatException>(() => ParamPath.Parse("no_colon"));
        Assert.Throws<ArgumentException>(() => new ParamPath("a", "b/c"));
    }
}
