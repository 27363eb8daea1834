namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// What a model reads, as <see cref="IModelCatalogGrain.GetInputsAsync"/> reports it: its grid and its task (input, target
/// and forcing variables, pressure levels, input window and time step) — what a client needs to prepare an initial condition.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ModelInputs")]
public sealed record ModelInputs
{
    /// <summary>The model reference the inputs are of.</summary>
    [Id(0)]
    public required string Model { get; init; }

    /// <summary>Grid latitudes (degrees north, the model's order).</summary>
    [Id(1)]
    public required IReadOnlyList<float> Latitudes { get; init; }

    /// <summary>Grid longitudes (degrees east, the model's order).</summary>
    [Id(2)]
    public required IReadOnlyList<float> Longitudes { get; init; }

    [Id(3)]
    public required IReadOnlyList<string> InputVariables { get; init; }

    [Id(4)]
    public required IReadOnlyList<string> TargetVariables { get; init; }

    [Id(5)]
    public required IReadOnlyList<string> ForcingVariables { get; init; }

    /// <summary>Pressure levels (hPa) of the atmospheric variables.</summary>
    [Id(6)]
    public required IReadOnlyList<int> PressureLevels { get; init; }

    /// <summary>The input window, e.g. <c>12h</c> (two frames six hours apart).</summary>
    [Id(7)]
    public required string InputDuration { get; init; }

    [Id(8)]
    public required TimeSpan TimeStep { get; init; }
}
