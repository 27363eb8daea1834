using System.Globalization;
using System.Text.Json;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;

namespace GraphCast.Orleans.Client.Commands;

/// <summary><c>graphcast model describe (--preset NAME | --checkpoint FILE) [--json]</c>: sizes of the model and its graphs.</summary>
public static class ModelDescribeCommand
{
    public static int Run(CliArguments args, TextWriter output)
    {
        var preset = args.String("preset");
        var checkpoint = args.String("checkpoint");
        var json = args.Flag("json");
        var cache = args.String("graph-cache");
        args.RejectUnknown("model describe");
        if ((preset is null) == (checkpoint is null))
        {
            throw new UsageException("Give exactly one of --preset NAME (e.g. --preset graphcast-small) or --checkpoint FILE.npz.");
        }

        string name;
        string description;
        ModelConfig model;
        TaskConfig task;
        long parameterCount;
        int tensorCount;
        if (preset is not null)
        {
            var p = Presets.Get(preset);
            (name, description, model, task) = (p.Name, p.Description, p.Model, p.Task);
            using var expected = GraphCastModel.ExpectedParameters(model, task);
            (parameterCount, tensorCount) = (expected.TotalElements, expected.Count);
        }
        else
        {
            using var ckpt = GraphCastWeights.Load(checkpoint!);
            using (var expected = GraphCastModel.ExpectedParameters(ckpt.Model, ckpt.Task))
            {
                ckpt.Validate(expected, checkpoint!);
            }

            (name, description, model, task) = (Path.GetFileName(checkpoint!), ckpt.Description, ckpt.Model, ckpt.Task);
            (parameterCount, tensorCount) = (ckpt.Params.TotalElements, ckpt.Params.Count);
        }

        var options = new GraphCastModelOptions { GraphCacheDirectory = cache };
        var (graphs, time, fromCache) = GraphCastModel.LoadGraphs(model, options);
        var layout = new TaskLayout(task);
        var result = new ModelDescription(
            name, description, parameterCount, tensorCount,
            graphs.Spec.GridLatitudes.Length, graphs.Spec.GridLongitudes.Length, graphs.GridNodeCount,
            model.MeshSize, graphs.MeshNodeCount, graphs.MeshEdges.Count, graphs.Grid2MeshEdges.Count, graphs.Mesh2GridEdges.Count,
            layout.InputChannels + TaskLayout.StructuralNodeFeatures, layout.InputChannels, layout.OutputChannels,
            task.PressureLevels.Count, model.LatentSize, model.GnnMsgSteps, Math.Round(time.TotalSeconds, 3), fromCache);

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
            return 0;
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"model              {result.Name}");
        output.WriteLine($"                   {result.Description}");
        output.WriteLine(string.Create(c, $"parameters         {result.Parameters:N0} in {result.Tensors} tensors"));
        output.WriteLine(string.Create(c, $"architecture       latent {result.LatentSize}, {result.MessagePassingSteps} message-passing steps, {result.PressureLevels} pressure levels"));
        output.WriteLine(string.Create(c, $"grid               {result.GridLatitudes} × {result.GridLongitudes} = {result.GridNodes:N0} nodes"));
        output.WriteLine(string.Create(c, $"mesh (M0..M{result.MeshSize})      {result.MeshNodes:N0} nodes, {result.MeshEdges:N0} edges"));
        output.WriteLine(string.Create(c, $"grid2mesh edges    {result.Grid2MeshEdges:N0}"));
        output.WriteLine(string.Create(c, $"mesh2grid edges    {result.Mesh2GridEdges:N0}"));
        output.WriteLine(string.Create(c, $"input channels     {result.InputChannels} ({result.InputDataChannels} data + {TaskLayout.StructuralNodeFeatures} structural)"));
        output.WriteLine(string.Create(c, $"output channels    {result.OutputChannels}"));
        output.WriteLine(string.Create(c, $"graph build        {result.GraphBuildSeconds:F2} s ({(result.GraphFromCache ? "read from cache" : "built and cached")})"));
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>What <c>model describe</c> reports (also its JSON shape).</summary>
    public sealed record ModelDescription(
        string Name, string Description, long Parameters, int Tensors,
        int GridLatitudes, int GridLongitudes, int GridNodes,
        int MeshSize, int MeshNodes, int MeshEdges,
        [property: System.Text.Json.Serialization.JsonPropertyName("grid2mesh_edges")] int Grid2MeshEdges,
        [property: System.Text.Json.Serialization.JsonPropertyName("mesh2grid_edges")] int Mesh2GridEdges,
        int InputChannels, int InputDataChannels, int OutputChannels,
        int PressureLevels, int LatentSize, int MessagePassingSteps, double GraphBuildSeconds, bool GraphFromCache);
}
