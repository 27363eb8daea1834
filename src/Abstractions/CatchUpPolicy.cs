namespace GraphCast.Orleans.Abstractions;

/// <summary>Which cycles a schedule starts when it finds several due at once, after downtime or a pause (<c>--catch-up</c>).</summary>
[GenerateSerializer]
public enum CatchUpPolicy
{
    /// <summary>Only a cycle found on time starts; cycles that fell due while nobody ticked the schedule are skipped.</summary>
    None,

    /// <summary>The latest due cycle starts, however late; older missed cycles are skipped.</summary>
    Latest,

    /// <summary>Every missed cycle starts, in order, up to the <c>max-catch-up</c> most recent (and none older than <c>expire</c>).</summary>
    All,
}
