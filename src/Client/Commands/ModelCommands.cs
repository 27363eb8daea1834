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
                await DescribeRegionAsync(parse, model, regionText, parse.GetValue(regionModel) ?? "seed:0", cancellationToken);
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

    /// <summary>Describes a region's nest through an embedded silo's model catalog (which builds it on its compute threads).</summary>
    private static async Task DescribeRegionAsync(ParseResult parse, ModelChoice model, string regionText, string regionModel, CancellationToken cancellationToken)
    {
        var (modelRef, weights) = model.Resolve(parse, defaultPreset: null);
        if (regionModel.Contains('/', StringComparison.Ordinal) || File.Exists(regionModel))
        {
            regionModel = File.Exists(regionModel) ? Path.GetFullPath(regionModel)
                : throw new UsageException($"--region-model {regionModel}: no such file; give a .safetensors or .npz file of the region's weights, or seed:N.");
        }

        var storage = Directory.CreateTempSubdirectory("graphcast-describe-");
        RegionDescription r;
        try
        {
            await using var silo = await EmbeddedSilo.StartAsync(storage.FullName, weights, cancellationToken, graphCacheDirectory: parse.GetValue<string?>("--graph-cache"));
            r = await silo.Grains.GetGrain<IModelCatalogGrain>(0).DescribeRegionAsync(modelRef, regionText, regionModel, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ExitCodes.OneLine(e.Message));
        }
        finally
        {
            storage.Delete(recursive: true);
        }

        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue<bool>("--json"))
        {
            JsonOutput.Write(output, r);
            return;
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"region             {r.Region} ({r.Definition}) nested in {r.Parent}, model {r.Model}");
        output.WriteLine(string.Create(c, $"grid               {r.GridLatitudes} × {r.GridLongitudes} = {r.GridLatitudes * r.GridLongitudes:N0} nodes, lat {r.Lat0:R}..{r.Lat1:R}, lon {r.Lon0:R}..{r.Lon1:R}, {r.Resolution:R}°"));
        output.WriteLine(string.Create(c, $"step               {r.StepHours:R} h ({r.StepsPerParentStep} per parent step); boundary {r.BoundaryCells} cells = {r.BoundaryNodes:N0} nodes"));
        output.WriteLine(string.Create(c, $"mesh (M0..M{r.MeshSize})      {r.MeshNodes:N0} nodes, {r.MeshEdges:N0} edges (box plus {r.MeshMarginLatitude:0.##}° lat, {r.MeshMarginLongitude:0.##}° lon)"));
        output.WriteLine(string.Create(c, $"grid2mesh edges    {r.Grid2MeshEdges:N0}"));
        output.WriteLine(string.Create(c, $"mesh2grid edges    {r.Mesh2GridEdges:N0}"));
        output.WriteLine(string.Create(c, $"parameters         {r.Parameters:N0} in {r.Tensors} tensors"));
        output.WriteLine(string.Create(c, $"input channels     {r.InputDataChannels + r.ParentChannels + 3} ({r.InputDataChannels} data + {r.ParentChannels} parent fields + 3 structural)"));
        output.WriteLine(string.Create(c, $"output channels    {r.OutputChannels}"));
        output.WriteLine(string.Create(c, $"graph build        {r.GraphBuildSeconds:F2} s"));
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
