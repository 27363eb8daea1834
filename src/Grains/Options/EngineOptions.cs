using GraphCast.Orleans.Storage.Faults;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Grains.Options;

/// <summary>Timing of the engine's background work and of its retries of transient failures (section <c>Engine</c>).</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>How often each silo looks for active runs and makes sure their members are running (recovery after a silo loss).</summary>
    public TimeSpan SupervisorInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a run writes its manifest (run.json) while members report progress.</summary>
    public TimeSpan ManifestFlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First wait before retrying a transient failure (storage or a silo unreachable); it doubles on each retry.</summary>
    public TimeSpan RetryFirstDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest wait between two retries of a transient failure.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a member keeps retrying transient failures before it reports itself failed (resume it later).</summary>
    public TimeSpan TransientFailureBudget { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a member re-activated on another silo waits for the silo it ran on to finish shutting down (draining it:
    /// its step in flight committed and checkpointed) before it resumes from the latest checkpoint it finds. Keep it at least
    /// the silos' <c>Cluster:ShutdownTimeout</c>.
    /// </summary>
    public TimeSpan DrainHandOverTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each silo reports its active members to the placement board and refreshes its view of the others.</summary>
    public TimeSpan LoadReportInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Least time between two partial statistics passes of one lead time while its members are still arriving (a pass
    /// reads every member included so far and rewrites the lead time's statistics). The pass once every member has the
    /// step, and the one when the run finishes, are never held back by it. Zero: a pass after every new member (small
    /// test runs); the default keeps a large run to one pass per lead time when its members arrive within 30 s.
    /// </summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many statistics passes one silo runs at once. Each holds one variable's float64 accumulators and one member
    /// chunk (about 20 bytes per value of the largest variable: 0.77 GB at 0.25° with 37 levels), so this bounds the
    /// silo's statistics memory however many lead times finish together.
    /// </summary>
    public int StatisticsConcurrency { get; set; } = 1;

    public TransientRetryPolicy RetryPolicy => new(RetryFirstDelay, RetryMaxDelay, TransientFailureBudget);
}
