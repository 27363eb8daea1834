namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// The outcome of recomputing a member from a checkpoint and comparing every chunk it wrote since: the steps and chunks
/// compared, and the first chunk that differs (null when every one is bit-identical).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ReplayReport")]
public sealed record ReplayReport(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Member,
    [property: Id(2)] int FromStep,
    [property: Id(3)] int ToStep,
    [property: Id(4)] int ChunksCompared,
    [property: Id(5)] string? FirstDifference)
{
    public bool Identical => FirstDifference is null;
}
