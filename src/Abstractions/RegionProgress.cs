namespace GraphCast.Orleans.Abstractions;

/// <summary>One region's progress in one member: the parent step it has reached (its outputs and checkpoint written).</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.RegionProgress")]
public sealed record RegionProgress
{
    [Id(0)]
    public required string Region { get; init; }

    [Id(1)]
    public required int Member { get; init; }

    /// <summary>The parent step whose time the region has reached (its regional steps up to it are committed).</summary>
    [Id(2)]
    public int ParentStep { get; init; }

    /// <summary>Regional steps committed.</summary>
    [Id(3)]
    public int Step { get; init; }

    [Id(4)]
    public MemberState State { get; init; }

    [Id(5)]
    public string? Error { get; init; }

    /// <summary>Seconds the last regional step took on its compute device.</summary>
    [Id(6)]
    public double LastStepSeconds { get; init; }

    /// <summary>The regional step it resumed from on its latest activation (0 = from the initial condition).</summary>
    [Id(7)]
    public int ResumedFrom { get; init; }

    [Id(8)]
    public string? Silo { get; init; }
}
