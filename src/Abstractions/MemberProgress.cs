namespace GraphCast.Orleans.Abstractions;

/// <summary>One member's progress: last committed step (durable: its output and, when due, checkpoint are written).</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.MemberProgress")]
public sealed record MemberProgress
{
    [Id(0)]
    public required int Member { get; init; }

    [Id(1)]
    public int Step { get; init; }

    [Id(2)]
    public MemberState State { get; init; }

    /// <summary>Seconds the last step took on its compute device (model only).</summary>
    [Id(3)]
    public double LastStepSeconds { get; init; }

    /// <summary>Sum of the step times of this activation.</summary>
    [Id(4)]
    public double TotalStepSeconds { get; init; }

    /// <summary>The silo the member runs on.</summary>
    [Id(5)]
    public string? Silo { get; init; }

    [Id(6)]
    public string? Error { get; init; }

    /// <summary>Step the member resumed from on its latest activation (0 = from the initial condition).</summary>
    [Id(7)]
    public int ResumedFrom { get; init; }

    /// <summary>Content hash of the parameters the member computes with (null until its model is loaded).</summary>
    [Id(8)]
    public string? ModelHash { get; init; }

    /// <summary>The device it computes on (<c>cpu</c>, <c>cuda:0</c>) and the network's dtype (<c>float32</c>, <c>bfloat16</c>).</summary>
    [Id(9)]
    public string? Device { get; init; }

    [Id(10)]
    public string? Dtype { get; init; }
}
