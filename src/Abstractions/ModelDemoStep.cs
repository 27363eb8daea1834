namespace GraphCast.Orleans.Abstractions;

/// <summary>One step of a <see cref="ModelDemo"/>: its valid time, the seconds Apply took, and a summary of each field shown.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ModelDemoStep")]
public sealed record ModelDemoStep
{
    /// <summary>0 for the initial state.</summary>
    [Id(0)]
    public int Step { get; init; }

    [Id(1)]
    public DateTime ValidTime { get; init; }

    /// <summary>Seconds the step took (0 for the initial state).</summary>
    [Id(2)]
    public double Seconds { get; init; }

    [Id(3)]
    public required IReadOnlyList<FieldSummary> Fields { get; init; }
}
