namespace GraphCast.Orleans.Abstractions;

/// <summary>Global mean, minimum and maximum of one field (a variable, at one pressure level for an atmospheric one).</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.FieldSummary")]
public sealed record FieldSummary
{
    [Id(0)]
    public required string Variable { get; init; }

    /// <summary>The pressure level (hPa) of an atmospheric variable; null for a surface one.</summary>
    [Id(1)]
    public int? Level { get; init; }

    [Id(2)]
    public float Mean { get; init; }

    [Id(3)]
    public float Min { get; init; }

    [Id(4)]
    public float Max { get; init; }
}
