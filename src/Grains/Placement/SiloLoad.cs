namespace GraphCast.Orleans.Grains.Placement;

/// <summary>A silo's active members at a time: which ones, so that a placement can tell whether a report counts it yet.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.SiloLoad")]
public sealed record SiloLoad(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] int ActiveMembers,
    [property: Id(2)] DateTime ReportedUtc,
    [property: Id(3)] IReadOnlyList<GrainId> Members);
