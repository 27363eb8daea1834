using GraphCast.Formats.Npy;
using GraphCast.Model.Configuration;
using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Weights;

/// <summary>
/// A GraphCast checkpoint in the reference's <c>.npz</c> layout (<c>graphcast.CheckPoint</c>): parameters
/// (<c>params:&lt;module path&gt;:&lt;name&gt;</c>), <c>model_config:*</c>, <c>task_config:*</c>, <c>description</c> and
/// <c>license</c>. The configuration it carries wins over any preset.
/// </summary>
public sealed class GraphCastWeights : IDisposable
{
    private GraphCastWeights(Params parameters, ModelConfig model, TaskConfig task, string description, string license, IReadOnlyList<string> unknownKeys)
    {
        Params = parameters;
        Model = model;
        Task = task;
        Description = description;
        License = license;
        UnknownKeys = unknownKeys;
    }

    public Params Params { get; }

    public ModelConfig Model { get; }

    public TaskConfig Task { get; }

    public string Description { get; }

    public string License { get; }

    /// <summary>Top-level keys the reference layout does not define (reported, not loaded).</summary>
    public IReadOnlyList<string> UnknownKeys { get; }

    /// <summary>Reads a reference-layout checkpoint. Configuration errors name the key and the file.</summary>
    public static GraphCastWeights Load(string path, Device? device = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist. Pass the path of a GraphCast .npz checkpoint.", path);
        }

        var flat = NpzArchive.Read(path);
        return FromFlat(flat, path, device);
    }

    /// <summary>Builds a checkpoint from flat reference-layout entries (e.g. read from a blob).</summary>
    public static GraphCastWeights FromFlat(IEnumerable<KeyValuePair<string, NpyArray>> flat, string source, Device? device = null)
    {
        var entries = flat.ToList();
        var known = new[] { "params", "model_config", "task_config", "description", "license" };
        var unknown = entries.Select(e => e.Key.Split(NpzTree.Separator)[0]).Distinct().Where(k => !known.Contains(k)).ToArray();
        var tree = NpzTree.Unflatten(entries.Where(e => !e.Key.StartsWith("params:", StringComparison.Ordinal)));
        ModelConfig model;
        TaskConfig task;
        try
        {
            var m = tree.GetDict("model_config");
            model = new ModelConfig
            {
                Resolution = m.GetDouble("resolution"),
                MeshSize = checked((int)m.GetLong("mesh_size")),
                LatentSize = checked((int)m.GetLong("latent_size")),
                GnnMsgSteps = checked((int)m.GetLong("gnn_msg_steps")),
                HiddenLayers = checked((int)m.GetLong("hidden_layers")),
                RadiusQueryFractionEdgeLength = m.GetDouble("radius_query_fraction_edge_length"),
                Mesh2GridEdgeNormalizationFactor = m.GetOptionalDouble("mesh2grid_edge_normalization_factor"),
            };
            var t = tree.GetDict("task_config");
            task = new TaskConfig
            {
                InputVariables = t.GetStrings("input_variables"),
                TargetVariables = t.GetStrings("target_variables"),
                ForcingVariables = t.GetStrings("forcing_variables"),
                PressureLevels = t.GetLongs("pressure_levels").Select(l => checked((int)l)).ToArray(),
                InputDuration = t.GetString("input_duration"),
            };
            model.Validate();
            task.Validate();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidDataException or ArgumentException or InvalidCastException or OverflowException)
        {
            throw new InvalidDataException($"{source} is not a GraphCast checkpoint in the reference layout: {e.Message}", e);
        }

        var description = tree.ContainsKey("description") ? tree.GetString("description") : "";
        var license = tree.ContainsKey("license") ? tree.GetString("license") : "";
        var parameters = ParamsFiles.ParamsFromFlat(entries, source, device);
        if (parameters.Count == 0)
        {
            parameters.Dispose();
            throw new InvalidDataException($"{source} holds no 'params:…' entries: it is not a GraphCast checkpoint.");
        }

        return new GraphCastWeights(parameters, model, task, description, license, unknown);
    }

    /// <summary>Writes a checkpoint in the reference layout (uncompressed, like <c>np.savez</c>).</summary>
    public static void Save(string path, Params parameters, ModelConfig model, TaskConfig task, string description, string license) =>
        NpzArchive.Write(path, ToFlat(parameters, model, task, description, license));

    /// <summary>The flat reference-layout entries of a checkpoint.</summary>
    public static IEnumerable<KeyValuePair<string, NpyArray>> ToFlat(Params parameters, ModelConfig model, TaskConfig task, string description, string license)
    {
        var config = new NpzDict
        {
            {
                "model_config", new NpzDict
                {
                    { "resolution", model.Resolution },
                    { "mesh_size", (long)model.MeshSize },
                    { "latent_size", (long)model.LatentSize },
                    { "gnn_msg_steps", (long)model.GnnMsgSteps },
                    { "hidden_layers", (long)model.HiddenLayers },
                    { "radius_query_fraction_edge_length", model.RadiusQueryFractionEdgeLength },
                    { "mesh2grid_edge_normalization_factor", model.Mesh2GridEdgeNormalizationFactor },
                }
            },
            {
                "task_config", new NpzDict
                {
                    { "input_variables", NpzList.FromStrings(task.InputVariables) },
                    { "target_variables", NpzList.FromStrings(task.TargetVariables) },
                    { "forcing_variables", NpzList.FromStrings(task.ForcingVariables) },
                    { "pressure_levels", new NpzList(task.PressureLevels.Select(l => (NpzNode)(long)l)) },
                    { "input_duration", task.InputDuration },
                }
            },
            { "description", description },
            { "license", license },
        };
        return ParamsFiles.ToFlat(parameters).Concat(NpzTree.Flatten(config));
    }

    /// <summary>
    /// Checks the parameters against the tree the configuration expects (<paramref name="expected"/>, e.g. a shapes-only
    /// Init): a missing or mis-shaped tensor is an error naming its path; tensors the model does not use are returned.
    /// </summary>
    public IReadOnlyList<ParamPath> Validate(Params expected, string source)
    {
        var missing = expected.Keys.Where(k => !Params.Contains(k)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException(
                $"{source} lacks {missing.Length} parameter(s) the model needs, first '{missing[0]}'. The checkpoint was written for another architecture.");
        }

        foreach (var (path, tensor) in expected)
        {
            var actual = Params[path];
            if (!actual.shape.SequenceEqual(tensor.shape))
            {
                throw new ParameterShapeException(path, tensor.shape, actual.shape);
            }
        }

        return Params.Keys.Where(k => !expected.Contains(k)).ToArray();
    }

    public void Dispose() => Params.Dispose();
}
