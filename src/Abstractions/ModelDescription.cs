namespace GraphCast.Orleans.Abstractions;

/// <summary>The sizes of a model and of its graphs, as <see cref="IModelCatalogGrain.DescribeAsync"/> reports them.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ModelDescription")]
public sealed record ModelDescription
{
    /// <summary>The preset's name, or the checkpoint's file name.</summary>
    [Id(0)]
    public required string Name { get; init; }

    [Id(1)]
    public required string Description { get; init; }

    /// <summary>Parameters (scalars) over all tensors.</summary>
    [Id(2)]
    public long Parameters { get; init; }

    /// <summary>Parameter tensors.</summary>
    [Id(3)]
    public int Tensors { get; init; }

    [Id(4)]
    public int GridLatitudes { get; init; }

    [Id(5)]
    public int GridLongitudes { get; init; }

    [Id(6)]
    public int GridNodes { get; init; }

    /// <summary>Icosahedron refinements: the multi-mesh holds levels 0 to this.</summary>
    [Id(7)]
    public int MeshSize { get; init; }

    [Id(8)]
    public int MeshNodes { get; init; }

    [Id(9)]
    public int MeshEdges { get; init; }

    [Id(10)]
    public int Grid2MeshEdges { get; init; }

    [Id(11)]
    public int Mesh2GridEdges { get; init; }

    /// <summary>Input channels per grid node: data channels plus <see cref="StructuralChannels"/>.</summary>
    [Id(12)]
    public int InputChannels { get; init; }

    [Id(13)]
    public int InputDataChannels { get; init; }

    /// <summary>The structural node features (position on the sphere) among the input channels.</summary>
    [Id(14)]
    public int StructuralChannels { get; init; }

    [Id(15)]
    public int OutputChannels { get; init; }

    [Id(16)]
    public int PressureLevels { get; init; }

    [Id(17)]
    public int LatentSize { get; init; }

    [Id(18)]
    public int MessagePassingSteps { get; init; }

    /// <summary>Seconds to build or read the graphs, rounded to milliseconds.</summary>
    [Id(19)]
    public double GraphBuildSeconds { get; init; }

    /// <summary>Whether the graphs came from the silo's graph cache (<c>Models:GraphCacheDirectory</c>).</summary>
    [Id(20)]
    public bool GraphFromCache { get; init; }
}
