using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Model.Geometry;
using GraphCast.Model.Regions;
using GraphCast.Model.Weights;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Grains.Catalog;

/// <summary>
/// The wire descriptions of a model (<see cref="ModelDescription"/>, <see cref="ModelInputs"/>) computed from its preset or
/// its weights file: parameter counts from the expected parameter tree (a preset) or the checked weights (a checkpoint),
/// graph sizes from the graph cache. Synchronous tensor work: run it on a compute thread.
/// </summary>
public static class ModelDescriptions
{
    /// <summary>Builds the nest of <paramref name="region"/> in the model <paramref name="parent"/> (graphs and params) and describes it.</summary>
    public static RegionDescription DescribeRegion(string parent, RegionSpec region, ModelConfig model, TaskConfig task, GraphCastModelOptions options)
    {
        using var nest = RegionalModel.Create(region, model, task, options);
        var g = nest.Graphs.Graphs;
        var layout = nest.Predictor.Layout;
        return new RegionDescription
        {
            Region = region.Name,
            Definition = region.ToString(),
            Parent = parent,
            Model = nest.Source,
            GridLatitudes = nest.Grid.Latitudes.Length,
            GridLongitudes = nest.Grid.Longitudes.Length,
            Lat0 = region.Lat0,
            Lat1 = region.Lat1,
            Lon0 = region.Lon0,
            Lon1 = region.Lon1,
            Resolution = region.Resolution,
            StepHours = region.Step.TotalHours,
            StepsPerParentStep = (int)(task.TimeStep.Ticks / region.Step.Ticks),
            BoundaryCells = region.Boundary,
            BoundaryNodes = nest.BoundaryNodeCount,
            MeshSize = nest.Config.MeshSize,
            MeshMarginLatitude = nest.Graphs.LatitudeMargin,
            MeshMarginLongitude = nest.Graphs.LongitudeMargin,
            MeshNodes = g.MeshNodeCount,
            MeshEdges = g.MeshEdges.Count,
            Grid2MeshEdges = g.Grid2MeshEdges.Count,
            Mesh2GridEdges = g.Mesh2GridEdges.Count,
            Parameters = nest.ParameterCount,
            Tensors = nest.Params.Count(),
            InputDataChannels = layout.InputChannels,
            ParentChannels = RegionalModel.ParentFrames * layout.Targets.Count,
            OutputChannels = layout.OutputChannels,
            GraphBuildSeconds = nest.GraphBuildTime.TotalSeconds,
        };
    }

    /// <summary>Describes the preset <paramref name="preset"/>, or else the weights file <paramref name="weightsPath"/>.</summary>
    public static ModelDescription Describe(ModelPreset? preset, string? weightsPath, string? graphCacheDirectory)
    {
        string name;
        string description;
        ModelConfig model;
        TaskConfig task;
        long parameters;
        int tensors;
        if (preset is not null)
        {
            (name, description, model, task) = (preset.Name, preset.Description, preset.Model, preset.Task);
            using var expected = GraphCastModel.ExpectedParameters(model, task);
            (parameters, tensors) = (expected.TotalElements, expected.Count);
        }
        else
        {
            var path = weightsPath ?? throw new ArgumentNullException(nameof(weightsPath), "Give a preset or a weights file.");
            using var weights = GraphCastWeights.Load(path);
            using (var expected = GraphCastModel.ExpectedParameters(weights.Model, weights.Task))
            {
                weights.Validate(expected, path);
            }

            (name, description, model, task) = (Path.GetFileName(path), weights.Description, weights.Model, weights.Task);
            (parameters, tensors) = (weights.Params.TotalElements, weights.Params.Count);
        }

        var (graphs, time, fromCache) = GraphCastModel.LoadGraphs(model, new GraphCastModelOptions { GraphCacheDirectory = graphCacheDirectory });
        var layout = new TaskLayout(task);
        return new ModelDescription
        {
            Name = name,
            Description = description,
            Parameters = parameters,
            Tensors = tensors,
            GridLatitudes = graphs.Spec.GridLatitudes.Length,
            GridLongitudes = graphs.Spec.GridLongitudes.Length,
            GridNodes = graphs.GridNodeCount,
            MeshSize = model.MeshSize,
            MeshNodes = graphs.MeshNodeCount,
            MeshEdges = graphs.MeshEdges.Count,
            Grid2MeshEdges = graphs.Grid2MeshEdges.Count,
            Mesh2GridEdges = graphs.Mesh2GridEdges.Count,
            InputChannels = layout.InputChannels + TaskLayout.StructuralNodeFeatures,
            InputDataChannels = layout.InputChannels,
            StructuralChannels = TaskLayout.StructuralNodeFeatures,
            OutputChannels = layout.OutputChannels,
            PressureLevels = task.PressureLevels.Count,
            LatentSize = model.LatentSize,
            MessagePassingSteps = model.GnnMsgSteps,
            GraphBuildSeconds = Math.Round(time.TotalSeconds, 3),
            GraphFromCache = fromCache,
        };
    }

    /// <summary>The grid of <paramref name="model"/> (no graphs built) and <paramref name="task"/>, for model reference <paramref name="modelRef"/>.</summary>
    public static ModelInputs Inputs(string modelRef, ModelConfig model, TaskConfig task)
    {
        var grid = GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        return new ModelInputs
        {
            Model = modelRef,
            Latitudes = grid.GridLatitudes,
            Longitudes = grid.GridLongitudes,
            InputVariables = [.. task.InputVariables],
            TargetVariables = [.. task.TargetVariables],
            ForcingVariables = [.. task.ForcingVariables],
            PressureLevels = [.. task.PressureLevels],
            InputDuration = task.InputDuration,
            TimeStep = task.TimeStep,
        };
    }
}
