namespace GraphCast.Orleans.Abstractions;

/// <summary>Where one cycle of a schedule stands; the last five are final.</summary>
[GenerateSerializer]
public enum CycleState
{
    /// <summary>Due, waiting for a free slot (<c>max-active</c>), in cycle order.</summary>
    Queued,

    /// <summary>Polling for its data (<c>--init</c> pattern) until it reads completely or <c>max-wait</c> passes.</summary>
    WaitingForData,

    /// <summary>Its run id and initial condition are recorded and the run is being submitted (a crash here is repaired by the next tick).</summary>
    Starting,

    /// <summary>Its run was submitted and has not finished.</summary>
    Running,

    /// <summary>Its run completed.</summary>
    Completed,

    /// <summary>Its run failed or was cancelled.</summary>
    Failed,

    /// <summary>Its data never arrived (or never read) within <c>max-wait</c>, and no fallback applied.</summary>
    Missed,

    /// <summary>Older than <c>expire</c> before it could start: never started.</summary>
    Expired,

    /// <summary>Not started by the catch-up policy (a later cycle was due, or it was found late with <c>catch-up none</c>).</summary>
    Skipped,
}
