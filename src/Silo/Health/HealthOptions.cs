namespace GraphCast.Orleans.Silo.Health;

/// <summary>The silo's health endpoint (section <c>Health</c>): <c>/healthz</c> (alive) and <c>/readyz</c> (joined, storage answers, device usable).</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>HTTP port of <c>/healthz</c> and <c>/readyz</c> on every address of the host; 0 (the default) serves none.</summary>
    public int Port { get; set; }

    /// <summary>How long <c>/readyz</c> waits for storage to answer before it reports the silo not ready.</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
