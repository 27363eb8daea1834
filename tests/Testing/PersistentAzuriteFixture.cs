namespace GraphCast.Testing;

/// <summary>
/// An xunit fixture whose Azurite keeps its data in a temporary folder, so it survives
/// <see cref="AzuriteProcess.StopAsync"/> and <see cref="AzuriteProcess.RestartAsync"/>; the folder is deleted afterwards.
/// </summary>
public sealed class PersistentAzuriteFixture : AzuriteFixture
{
    /// <summary>A fixture whose Azurite keeps its data on disk.</summary>
    public PersistentAzuriteFixture()
        : base(AzuritePersistence.Disk)
    {
    }
}
