namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// What <see cref="IModelCatalogGrain.DemoAsync"/> computed: the random-weight model it initialised (sizes, timings, hash) and
/// a summary of a few fields at the initial state and after each step.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ModelDemo")]
public sealed record ModelDemo
{
    [Id(0)]
    public required string Name { get; init; }

    [Id(1)]
    public required string Description { get; init; }

    [Id(2)]
    public long Seed { get; init; }

    [Id(3)]
    public long Parameters { get; init; }

    [Id(4)]
    public int Tensors { get; init; }

    /// <summary>Seconds to build the model: graphs and Init.</summary>
    [Id(5)]
    public double InitSeconds { get; init; }

    [Id(6)]
    public double GraphBuildSeconds { get; init; }

    [Id(7)]
    public bool GraphFromCache { get; init; }

    /// <summary>The model's hash (configuration and parameters).</summary>
    [Id(8)]
    public required string Hash { get; init; }

    [Id(9)]
    public int GridNodes { get; init; }

    /// <summary>Valid time (UTC) of the initial state.</summary>
    [Id(10)]
    public DateTime InitTime { get; init; }

    /// <summary>Step 0 (the initial state) and each applied step, in order.</summary>
    [Id(11)]
    public required IReadOnlyList<ModelDemoStep> Steps { get; init; }
}
