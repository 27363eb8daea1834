using GraphCast.Model.Configuration;
using GraphCast.Model.Geometry;
using GraphCast.Model.Network;
using GraphCast.Model.Predictors;

namespace GraphCast.Model.Tests.Predictors;

/// <summary>Graphs of the tiny preset (10° grid, mesh 2), built once per test run.</summary>
internal static class TinyModel
{
    private static readonly Lazy<GraphCastGraphs> LazyGraphs = new(() =>
    {
        var m = Presets.Tiny.Model;
        return GraphCastGraphs.Build(GraphCastGraphSpec.RegularGrid(m.Resolution, m.MeshSize, m.RadiusQueryFractionEdgeLength, m.Mesh2GridEdgeNormalizationFactor));
    });

    public static GraphCastGraphs Graphs => LazyGraphs.Value;

    public static GraphCastPredictor Predictor(ModelConfig? model = null, TaskConfig? task = null, bool bfloat16 = false)
    {
        task ??= Presets.Tiny.Task;
        return new GraphCastPredictor(model ?? Presets.Tiny.Model, task, GraphTensors.From(Graphs), NormalizationStats.Identity(task), bfloat16);
    }
}
