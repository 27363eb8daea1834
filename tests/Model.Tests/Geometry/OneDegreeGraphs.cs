using GraphCast.Model.Geometry;

namespace GraphCast.Model.Tests.Geometry;

/// <summary>The 1° grid on M5 with the GraphCast_small settings, built once for the tests that read it.</summary>
public sealed class OneDegreeGraphs
{
    public GraphCastGraphs Graphs { get; } = GraphCastGraphs.Build(GraphCastGraphSpec.RegularGrid(1.0, 5, 0.6, 0.6180338738074472));
}
