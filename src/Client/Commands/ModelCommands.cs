using System.CommandLine;
using System.Globalization;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast model describe (--preset NAME | --checkpoint FILE) [--json] [--graph-cache DIR]</c>: the sizes of a model and
/// its graphs, from the model catalog of an embedded silo (whose weights folder is the checkpoint's).
/// </summary>
public static class ModelCommands
{
    public static Command Create()
    {
        var command = new Command("model", "Describe models.");
        command.Subcommands.Add(Describe());
        return command;
    }

    private static Command Describe()
    {
        var command = new Command("describe", "Parameter and tensor counts, mesh and grid graph sizes, channels and graph build time of a preset or a checkpoint.");
        var model = new ModelChoice(command, $"The preset to describe: one of {string.Join(", ", Presets.All.Select(p => p.Name))}.");
        var json = CliOptions.Flag("--json", "Print the description as a JSON object.");
        var cache = CliOptions.Text("--graph-cache", "The graph cache folder (default ~/.cache/graphcast/graphs): graphs are built once and read from here after.", "DIR");
        var region = CliOptions.Text("--region", "Describe a forecast region nested in the model instead: NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]] (docs/regions.md).", "REGION");
        var regionModel = CliOptions.Text("--region-model", "With --region: seed:N (default seed:0) or a weights FILE (.safetensors or .npz).", "MODEL");
        command.Options.Add(json);
        command.Options.Add(cache);
        command.Options.Add(region);
        command.Options.Add(regionModel);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(region) is { } regionText)
            {
                DescribeRegion(parse, model, regionText, parse.GetValue(regionModel) ?? "seed:0", parse.GetValue(json));
                return 0;
            }

            var (modelRef, weights) = model.Resolve(parse, defaultPreset: null);
            var storage = Directory.CreateTempSubdirectory("graphcast-describe-");
            ModelDescription result;
            try
            {
                await using var silo = await EmbeddedSilo.StartAsync(storage.FullName, weights, cancellationToken, graphCacheDirectory: parse.GetValue(cache));
                result = await silo.Grains.GetGrain<IModelCatalogGrain>(0).DescribeAsync(modelRef, cancellationToken);
            }
            finally
            {
                storage.Delete(recursive: true);
            }

            Print(result, parse.GetValue(json), parse.InvocationConfiguration.Output);
            return 0;
        });
        return command;
    }

    /// <summary>Builds the region's nest in this process (graphs and params through the transform) and prints its sizes.</summary>
    private static void DescribeRegion(ParseResult parse, ModelChoice model, string regionText, string regionModel, bool json)
    {
        ModelConfig config;
        TaskConfig task;
        string parentName;
        if (parse.GetValue(model.Checkpoint) is { } checkpoint)
        {
            using var weights = GraphCast.Model.Weights.GraphCastWeights.Load(checkpoint);
            (config, task, parentName) = (weights.Model, weights.Task, Path.GetFileName(checkpoint));
        }
        else
        {
            var preset = Presets.Get(parse.GetValue(model.Preset) ?? throw new UsageException("model describe --region needs the parent model: --preset NAME or --checkpoint FILE."));
            (config, task, parentName) = (preset.Model, preset.Task, preset.Name);
        }

        GraphCast.Model.Regions.RegionalModel nest;
        try
        {
            var spec = GraphCast.Model.Regions.RegionSpec.Parse(regionText, config.Resolution, task.TimeStep, GraphCast.Model.Regions.RegionModelSource.Parse(regionModel));
            if (spec.IsCutout)
            {
                throw new UsageException($"Region '{spec.Name}' is a cut-out (model none): it has no model to describe; it is the parent's fields on {spec.LatitudeCount} × {spec.LongitudeCount} points.");
            }

            nest = GraphCast.Model.Regions.RegionalModel.Create(spec, config, task, new GraphCast.Model.GraphCastModelOptions { GraphCacheDirectory = "" });
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or GraphCast.Model.Transforms.ParameterShapeException)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }

        using (nest)
        {
            var g = nest.Graphs.Graphs;
            var layout = nest.Predictor.Layout;
            var r = nest.Spec;
            var c = CultureInfo.InvariantCulture;
            var parameters = nest.ParameterCount;
            var inputs = layout.InputChannels + (GraphCast.Model.Regions.RegionalModel.ParentFrames * layout.Targets.Count);
            var output = parse.InvocationConfiguration.Output;
            if (json)
            {
                JsonOutput.Write(output, new
                {
                    Region = r.Name,
                    Definition = r.ToString(),
                    Parent = parentName,
                    Model = nest.Source,
                    GridLatitudes = nest.Grid.Latitudes.Length,
                    GridLongitudes = nest.Grid.Longitudes.Length,
                    GridNodes = g.GridNodeCount,
                    BoundaryNodes = nest.BoundaryNodeCount,
                    StepHours = r.Step.TotalHours,
                    nest.Config.MeshSize,
                    MeshMarginDegrees = nest.Graphs.LatitudeMargin,
                    MeshNodes = g.MeshNodeCount,
                    MeshEdges = g.MeshEdges.Count,
                    grid2mesh_edges = g.Grid2MeshEdges.Count,
                    mesh2grid_edges = g.Mesh2GridEdges.Count,
                    Parameters = parameters,
                    Tensors = nest.Params.Count(),
                    InputChannels = inputs + 3,
                    ParentChannels = GraphCast.Model.Regions.RegionalModel.ParentFrames * layout.Targets.Count,
                    OutputChannels = layout.OutputChannels,
                    GraphBuildSeconds = nest.GraphBuildTime.TotalSeconds,
                });
                return;
            }

            output.WriteLine($"region             {r.Name} ({r}) nested in {parentName}, model {nest.Source}");
            output.WriteLine(string.Create(c, $"grid               {nest.Grid.Latitudes.Length} × {nest.Grid.Longitudes.Length} = {g.GridNodeCount:N0} nodes, lat {r.Lat0:R}..{r.Lat1:R}, lon {r.Lon0:R}..{r.Lon1:R}, {r.Resolution:R}°"));
            output.WriteLine(string.Create(c, $"step               {r.Step.TotalHours:R} h ({task.TimeStep.Ticks / r.Step.Ticks} per parent step); boundary {r.Boundary} cells = {nest.BoundaryNodeCount:N0} nodes"));
            output.WriteLine(string.Create(c, $"mesh (M0..M{nest.Config.MeshSize})      {g.MeshNodeCount:N0} nodes, {g.MeshEdges.Count:N0} edges (box plus {nest.Graphs.LatitudeMargin:0.##}° lat, {nest.Graphs.LongitudeMargin:0.##}° lon)"));
            output.WriteLine(string.Create(c, $"grid2mesh edges    {g.Grid2MeshEdges.Count:N0}"));
            output.WriteLine(string.Create(c, $"mesh2grid edges    {g.Mesh2GridEdges.Count:N0}"));
            output.WriteLine(string.Create(c, $"parameters         {parameters:N0} in {nest.Params.Count()} tensors"));
            output.WriteLine(string.Create(c, $"input channels     {inputs + 3} ({layout.InputChannels} data + {GraphCast.Model.Regions.RegionalModel.ParentFrames * layout.Targets.Count} parent fields + 3 structural)"));
            output.WriteLine(string.Create(c, $"output channels    {layout.OutputChannels}"));
            output.WriteLine(string.Create(c, $"graph build        {nest.GraphBuildTime.TotalSeconds:F2} s"));
        }
    }

    private static void Print(ModelDescription r, bool json, TextWriter output)
    {
        if (json)
        {
            JsonOutput.Write(output, new
            {
                r.Name,
                r.Description,
                r.Parameters,
                r.Tensors,
                r.GridLatitudes,
                r.GridLongitudes,
                r.GridNodes,
                r.MeshSize,
                r.MeshNodes,
                r.MeshEdges,
                grid2mesh_edges = r.Grid2MeshEdges,
                mesh2grid_edges = r.Mesh2GridEdges,
                r.InputChannels,
                r.InputDataChannels,
                r.OutputChannels,
                r.PressureLevels,
                r.LatentSize,
                r.MessagePassingSteps,
                r.GraphBuildSeconds,
                r.GraphFromCache,
            });
            return;
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"model              {r.Name}");
        output.WriteLine($"                   {r.Description}");
        output.WriteLine(string.Create(c, $"parameters         {r.Parameters:N0} in {r.Tensors} tensors"));
        output.WriteLine(string.Create(c, $"architecture       latent {r.LatentSize}, {r.MessagePassingSteps} message-passing steps, {r.PressureLevels} pressure levels"));
        output.WriteLine(string.Create(c, $"grid               {r.GridLatitudes} × {r.GridLongitudes} = {r.GridNodes:N0} nodes"));
        output.WriteLine(string.Create(c, $"mesh (M0..M{r.MeshSize})      {r.MeshNodes:N0} nodes, {r.MeshEdges:N0} edges"));
        output.WriteLine(string.Create(c, $"grid2mesh edges    {r.Grid2MeshEdges:N0}"));
        output.WriteLine(string.Create(c, $"mesh2grid edges    {r.Mesh2GridEdges:N0}"));
        output.WriteLine(string.Create(c, $"input channels     {r.InputChannels} ({r.InputDataChannels} data + {r.StructuralChannels} structural)"));
        output.WriteLine(string.Create(c, $"output channels    {r.OutputChannels}"));
        output.WriteLine(string.Create(c, $"graph build        {r.GraphBuildSeconds:F2} s ({(r.GraphFromCache ? "read from cache" : "built and cached")})"));
    }
}
