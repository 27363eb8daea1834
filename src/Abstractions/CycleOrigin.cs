namespace GraphCast.Orleans.Abstractions;

/// <summary>Why a cycle exists: the clock, an operator's trigger, or a backfill.</summary>
[GenerateSerializer]
public enum CycleOrigin
{
    /// <summary>The cron expression made it due (on time or caught up).</summary>
    Scheduled,

    /// <summary><c>schedule trigger</c>: started at once, ahead of the <c>max-active</c> queue.</summary>
    Triggered,

    /// <summary><c>schedule backfill</c>: a reforecast of a past cycle, queued behind scheduled cycles.</summary>
    Backfill,
}
