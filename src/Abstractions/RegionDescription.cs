namespace GraphCast.Orleans.Abstractions;

/// <summary>What <c>graphcast model describe --region</c> prints: a nest's grid, step, boundary, mesh, edges, parameters and channels.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.RegionDescription")]
public sealed record RegionDescription
{
    [Id(0)]
    public required string Region { get; init; }

    /// <summary>The canonical definition, <c>NAME:LAT0:LAT1:LON0:LON1:RES:STEP:BOUNDARY</c>.</summary>
    [Id(1)]
    public required string Definition { get; init; }

    [Id(2)]
    public required string Parent { get; init; }

    /// <summary>Where the parameters came from: <c>seed:N</c> or the file.</summary>
    [Id(3)]
    public required string Model { get; init; }

    [Id(4)]
    public int GridLatitudes { get; init; }

    [Id(5)]
    public int GridLongitudes { get; init; }

    [Id(6)]
    public double Lat0 { get; init; }

    [Id(7)]
    public double Lat1 { get; init; }

    [Id(8)]
    public double Lon0 { get; init; }

    [Id(9)]
    public double Lon1 { get; init; }

    [Id(10)]
    public double Resolution { get; init; }

    [Id(11)]
    public double StepHours { get; init; }

    /// <summary>Regional steps per parent step.</summary>
    [Id(12)]
    public int StepsPerParentStep { get; init; }

    [Id(13)]
    public int BoundaryCells { get; init; }

    [Id(14)]
    public int BoundaryNodes { get; init; }

    [Id(15)]
    public int MeshSize { get; init; }

    [Id(16)]
    public double MeshMarginLatitude { get; init; }

    [Id(17)]
    public double MeshMarginLongitude { get; init; }

    [Id(18)]
    public int MeshNodes { get; init; }

    [Id(19)]
    public int MeshEdges { get; init; }

    [Id(20)]
    public int Grid2MeshEdges { get; init; }

    [Id(21)]
    public int Mesh2GridEdges { get; init; }

    [Id(22)]
    public long Parameters { get; init; }

    [Id(23)]
    public int Tensors { get; init; }

    /// <summary>The task's data channels (input frames, static fields, forcings).</summary>
    [Id(24)]
    public int InputDataChannels { get; init; }

    /// <summary>The parent's fields at the step's start and end.</summary>
    [Id(25)]
    public int ParentChannels { get; init; }

    [Id(26)]
    public int OutputChannels { get; init; }

    [Id(27)]
    public double GraphBuildSeconds { get; init; }
}
