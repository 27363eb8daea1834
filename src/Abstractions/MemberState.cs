namespace GraphCast.Orleans.Abstractions;

/// <summary>Where one member stands.</summary>
[GenerateSerializer]
public enum MemberState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}
