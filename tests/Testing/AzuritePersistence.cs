namespace GraphCast.Testing;

/// <summary>Where an <see cref="AzuriteProcess"/> keeps its data, which decides what survives a restart.</summary>
public enum AzuritePersistence
{
    /// <summary>In the Azurite process's memory: fast, nothing on disk, and lost when the process stops.</summary>
    InMemory,

    /// <summary>
    /// In a temporary folder (Azurite's <c>--location</c>) that is deleted on dispose: data survives
    /// <see cref="AzuriteProcess.StopAsync"/> followed by <see cref="AzuriteProcess.RestartAsync"/>.
    /// </summary>
    Disk,
}
