using GraphCast.Formats.Npy;

namespace GraphCast.Formats.Tests.Npy;

/// <summary>The tree ↔ flat-key mapping follows the reference <c>checkpoint.py</c>: ':' keys, None omitted, tuples as indices, params split on the last ':'.</summary>
public sealed class NpzTreeTests
{
    private const string Linear0 = "grid2mesh_gnn/~_networks_builder/encoder_edges_grid2mesh_mlp/~/linear_0";

    private static readonly string[] InputVariables =
        ["2m_temperature", "geopotential", "temperature", "toa_incident_solar_radiation", "year_progress_sin", "land_sea_mask"];

    private static readonly long[] PressureLevels = [50, 100, 150, 200, 250, 300, 400, 500, 600, 700, 850, 925, 1000];

    [Fact]
    public void Reference_layout_checkpoint_flattens_to_the_reference_keys_in_order()
    {
        var flat = NpzTree.Flatten(ReferenceCheckpoint(mesh2gridFactor: null));

        string[] expected =
        [
            $"params:{Linear0}:w",
            $"params:{Linear0}:b",
            "model_config:resolution",
            "model_config:mesh_size",
            "model_config:latent_size",
            "model_config:gnn_msg_steps",
            "model_config:hidden_layers",
            "model_config:radius_query_fraction_edge_length",
            .. InputVariables.Select((_, i) => $"task_config:input_variables:{i}"),
            "task_config:target_variables:0",
            "task_config:target_variables:1",
            "task_config:forcing_variables:0",
            .. PressureLevels.Select((_, i) => $"task_config:pressure_levels:{i}"),
            "task_config:input_duration",
            "description",
            "license",
        ];
        Assert.Equal(expected, flat.Keys);
        Assert.Equal(NpyDtype.Float32, flat[$"params:{Linear0}:w"].Dtype);
        Assert.Equal([4L, 512L], flat[$"params:{Linear0}:w"].Shape);
        Assert.Equal(NpyDtype.Int64, flat["model_config:mesh_size"].Dtype);
        Assert.Empty(flat["model_config:mesh_size"].Shape);
        Assert.Equal(NpyDtype.Float64, flat["model_config:resolution"].Dtype);
        Assert.Equal("<U3", flat["task_config:input_duration"].DescribeType());
        Assert.Equal(NpyDtype.Int64, flat["task_config:pressure_levels:12"].Dtype);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reference_layout_checkpoint_survives_flatten_npz_read_unflatten(bool compressed)
    {
        var tree = ReferenceCheckpoint(mesh2gridFactor: 0.6180338738074472);
        var flat = NpzTree.Flatten(tree);
        using var stream = new MemoryStream();
        NpzArchive.Write(stream, flat, compressed);
        stream.Position = 0;

        var loaded = NpzTree.Unflatten(NpzArchive.Read(stream, "ckpt.npz"));

        // Every value comes back as the reference's _convert_types would rebuild it.
        var parameters = loaded.GetDict("params");
        Assert.Equal([Linear0], parameters.Keys);
        var linear = parameters.GetDict(Linear0);
        Assert.Equal(((NpzLeaf)((NpzDict)((NpzDict)tree["params"]!)[Linear0]!)["w"]!).Array, linear.GetArray("w"));
        Assert.Equal(Bias(), linear.GetArray("b").ToFloatArray());

        var model = loaded.GetDict("model_config");
        Assert.Equal(0.25, model.GetDouble("resolution"));
        Assert.Equal(6L, model.GetLong("mesh_size"));
        Assert.Equal(512L, model.GetLong("latent_size"));
        Assert.Equal(16L, model.GetLong("gnn_msg_steps"));
        Assert.Equal(1L, model.GetLong("hidden_layers"));
        Assert.Equal(0.5999912857713345, model.GetDouble("radius_query_fraction_edge_length"));
        Assert.Equal(0.6180338738074472, model.GetOptionalDouble("mesh2grid_edge_normalization_factor"));

        var task = loaded.GetDict("task_config");
        Assert.Equal(InputVariables, task.GetStrings("input_variables"));
        Assert.Equal(["2m_temperature", "temperature"], task.GetStrings("target_variables"));
        Assert.Equal(["toa_incident_solar_radiation"], task.GetStrings("forcing_variables"));
        Assert.Equal(PressureLevels, task.GetLongs("pressure_levels"));
        Assert.Equal("12h", task.GetString("input_duration"));
        Assert.Equal("GraphCast test checkpoint", loaded.GetString("description"));
        Assert.Equal("CC BY-NC-SA 4.0", loaded.GetString("license"));

        // And flattening what was loaded gives back exactly the flat map that was written.
        var again = NpzTree.Flatten(loaded);
        Assert.Equal(flat.Keys, again.Keys);
        Assert.All(flat, pair => Assert.Equal(pair.Value, again[pair.Key]));
    }

    [Fact]
    public void None_fields_are_omitted_and_read_back_as_null()
    {
        var flat = NpzTree.Flatten(ReferenceCheckpoint(mesh2gridFactor: null));

        Assert.DoesNotContain("model_config:mesh2grid_edge_normalization_factor", flat.Keys);
        var loaded = NpzTree.Unflatten(flat);
        Assert.Null(loaded.GetDict("model_config").GetOptionalDouble("mesh2grid_edge_normalization_factor"));
    }

    [Fact]
    public void List_children_are_ordered_by_integer_index_not_by_text()
    {
        var flat = new OrderedDictionary<string, NpyArray>
        {
            ["levels:10"] = NpyArray.FromScalar(1000L),
            ["levels:2"] = NpyArray.FromScalar(150L),
            ["levels:0"] = NpyArray.FromScalar(50L),
            ["levels:1"] = NpyArray.FromScalar(100L),
        };

        var loaded = NpzTree.Unflatten(flat);

        Assert.Equal([50L, 100L, 150L, 1000L], loaded.GetLongs("levels"));
    }

    [Fact]
    public void Params_keys_split_on_the_last_separator()
    {
        var (modulePath, paramName) = NpzTree.SplitParamsKey($"params:{Linear0}:w");

        Assert.Equal(Linear0, modulePath);
        Assert.Equal("w", paramName);
        Assert.Equal($"params:{Linear0}:w", NpzTree.JoinParamsKey(modulePath, paramName));
    }

    [Theory]
    [InlineData("model_config:mesh_size")]
    [InlineData("params:w")]
    [InlineData("params:mesh_gnn/x:")]
    [InlineData("params::w")]
    public void Keys_that_are_not_params_keys_are_refused(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => NpzTree.SplitParamsKey(key));

        Assert.Contains("params:<module path>:<param name>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_containing_the_separator_are_refused()
    {
        var dict = new NpzDict();

        var error = Assert.Throws<ArgumentException>(() => dict.Add("a:b", 1));

        Assert.Contains("contains the separator ':'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_dicts_and_lists_flatten_to_nothing()
    {
        var tree = new NpzDict { ["empty"] = new NpzDict(), ["none"] = new NpzList([]), ["x"] = 1.5 };

        Assert.Equal(["x"], NpzTree.Flatten(tree).Keys);
    }

    [Fact]
    public void A_key_that_is_both_an_array_and_a_prefix_is_refused()
    {
        var flat = new OrderedDictionary<string, NpyArray>
        {
            ["a:b"] = NpyArray.FromScalar(1L),
            ["a"] = NpyArray.FromScalar(2L),
        };

        var error = Assert.Throws<InvalidDataException>(() => NpzTree.Unflatten(flat));

        Assert.Contains("'a' is an array but also the prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_mistyped_fields_name_the_full_key()
    {
        var loaded = NpzTree.Unflatten(NpzTree.Flatten(ReferenceCheckpoint(mesh2gridFactor: null)));
        var task = loaded.GetDict("task_config");

        var missing = Assert.Throws<InvalidDataException>(() => task.GetLong("mesh_size"));
        var mistyped = Assert.Throws<InvalidDataException>(() => task.GetLong("input_duration"));
        var notList = Assert.Throws<InvalidDataException>(() => loaded.GetStrings("description"));

        Assert.Contains("no 'task_config:mesh_size'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'task_config:input_duration'", mistyped.Message, StringComparison.Ordinal);
        Assert.Contains("no integer value", mistyped.Message, StringComparison.Ordinal);
        Assert.Contains("'description' in the checkpoint is an array <U25(), not a list", notList.Message, StringComparison.Ordinal);
    }

    /// <summary>A checkpoint shaped as <c>graphcast.CheckPoint</c>: one params module, both configs, description and license.</summary>
    private static NpzDict ReferenceCheckpoint(double? mesh2gridFactor) => new()
    {
        ["params"] = new NpzDict
        {
            [Linear0] = new NpzDict
            {
                ["w"] = NpyArray.FromFloats(Enumerable.Range(0, 4 * 512).Select(i => (i % 17) * 0.125f - 1f).ToArray(), [4, 512]),
                ["b"] = NpyArray.FromFloats(Bias()),
            },
        },
        ["model_config"] = new NpzDict
        {
            ["resolution"] = 0.25,
            ["mesh_size"] = 6,
            ["latent_size"] = 512,
            ["gnn_msg_steps"] = 16,
            ["hidden_layers"] = 1,
            ["radius_query_fraction_edge_length"] = 0.5999912857713345,
            ["mesh2grid_edge_normalization_factor"] = mesh2gridFactor,
        },
        ["task_config"] = new NpzDict
        {
            ["input_variables"] = NpzList.FromStrings(InputVariables),
            ["target_variables"] = NpzList.FromStrings(["2m_temperature", "temperature"]),
            ["forcing_variables"] = NpzList.FromStrings(["toa_incident_solar_radiation"]),
            ["pressure_levels"] = NpzList.FromLongs(PressureLevels),
            ["input_duration"] = "12h",
        },
        ["description"] = "GraphCast test checkpoint",
        ["license"] = "CC BY-NC-SA 4.0",
    };

    private static float[] Bias() => Enumerable.Range(0, 512).Select(i => i / 512f).ToArray();
}
