namespace GraphCast.Orleans.Abstractions;

/// <summary>What a cycle does when its data has not arrived within <c>max-wait</c> (<c>--fallback</c>).</summary>
[GenerateSerializer]
public enum FallbackPolicy
{
    /// <summary>The cycle is recorded Missed, with the reason.</summary>
    None,

    /// <summary>A warm start: the cycle starts from the previous cycle's forecast at the matching lead time, recorded as such.</summary>
    Previous,
}
