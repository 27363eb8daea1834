using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GraphCast.Orleans.Storage.Telemetry;

/// <summary>
/// The engine's instruments: one <see cref="System.Diagnostics.Metrics.Meter"/> and one <see cref="ActivitySource"/>, both
/// named <c>GraphCast.Engine</c>, shared by the storage layer, the grains and the silo (docs/observability.md lists every
/// instrument with its unit, tags and meaning). Silos export them with OpenTelemetry (Prometheus <c>/metrics</c>, OTLP);
/// without a listener every call here is a no-op.
/// </summary>
/// <remarks>
/// Names follow OpenTelemetry's conventions (dotted lower case, the unit in <c>unit</c>, not in the name). Tags are
/// low-cardinality only (model, device, dtype, state, kind, silo): run ids and members go on spans, never on metrics.
/// </remarks>
public static class EngineTelemetry
{
    public const string Name = "GraphCast.Engine";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Member steps committed (outputs written, checkpoint if due), tags model, device, dtype.</summary>
    public static readonly Counter<long> MemberSteps = Meter.CreateCounter<long>("graphcast.member.steps", "{step}", "Member steps committed.");

    /// <summary>Compute time of one member step on its compute thread, tags model, device, dtype.</summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("graphcast.member.step.duration", "s", "Compute time of one member step.");

    /// <summary>Work items waiting for a compute thread.</summary>
    public static readonly UpDownCounter<long> ComputeQueueLength = Meter.CreateUpDownCounter<long>("graphcast.compute.queue.length", "{item}", "Work items waiting for a compute thread.");

    /// <summary>Time a work item waited in the compute queue before a thread took it.</summary>
    public static readonly Histogram<double> ComputeQueueWait = Meter.CreateHistogram<double>("graphcast.compute.queue.wait", "s", "Time a work item waited for a compute thread.");

    /// <summary>Time a step waited for device memory at the silo's memory gate, tag device.</summary>
    public static readonly Histogram<double> MemoryGateWait = Meter.CreateHistogram<double>("graphcast.memory_gate.wait", "s", "Time a step waited for device memory.");

    /// <summary>Bytes of member rollout checkpoints written.</summary>
    public static readonly Counter<long> CheckpointBytes = Meter.CreateCounter<long>("graphcast.checkpoint.bytes", "By", "Bytes of rollout checkpoints written.");

    /// <summary>Time to serialise and store one rollout checkpoint.</summary>
    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>("graphcast.checkpoint.duration", "s", "Time to write one rollout checkpoint.");

    /// <summary>Stored (compressed) bytes of forecast chunks written, tag codec.</summary>
    public static readonly Counter<long> ChunkBytes = Meter.CreateCounter<long>("graphcast.chunk.bytes", "By", "Stored bytes of forecast chunks written.");

    /// <summary>Time to encode and store one member step's forecast chunks (all its variables).</summary>
    public static readonly Histogram<double> ChunkWriteDuration = Meter.CreateHistogram<double>("graphcast.chunk.write.duration", "s", "Time to write one member step's forecast chunks.");

    /// <summary>Storage operations retried after a transient failure, tag kind (the exception's type).</summary>
    public static readonly Counter<long> StorageRetries = Meter.CreateCounter<long>("graphcast.storage.retries", "{retry}", "Storage operations retried after a transient failure.");

    /// <summary>Ensemble members placed on a silo, tag silo.</summary>
    public static readonly Counter<long> MembersPlaced = Meter.CreateCounter<long>("graphcast.members.placed", "{member}", "Ensemble members placed on a silo.");

    /// <summary>Runs submitted.</summary>
    public static readonly Counter<long> RunsSubmitted = Meter.CreateCounter<long>("graphcast.runs.submitted", "{run}", "Runs submitted.");

    /// <summary>Runs finished, tag state (Completed, Failed, Cancelled).</summary>
    public static readonly Counter<long> RunsFinished = Meter.CreateCounter<long>("graphcast.runs.finished", "{run}", "Runs finished, by final state.");

    /// <summary>Duration of one ensemble-statistics pass over a lead time.</summary>
    public static readonly Histogram<double> StatisticsPassDuration = Meter.CreateHistogram<double>("graphcast.statistics.pass.duration", "s", "Duration of one ensemble-statistics pass.");
}
