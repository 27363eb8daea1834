namespace GraphCast.Orleans.Abstractions;

/// <summary>Where a run stands.</summary>
[GenerateSerializer]
public enum RunState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}
