namespace GraphCast.Orleans.Grains.Options;

/// <summary>Timing of the engine's background work (section <c>Engine</c>).</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>How often each silo looks for active runs and makes sure their members are running (recovery after a silo loss).</summary>
    public TimeSpan SupervisorInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a run writes its manifest (run.json) while members report progress.</summary>
    public TimeSpan ManifestFlushInterval { get; set; } = TimeSpan.FromSeconds(2);
}
