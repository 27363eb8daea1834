namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// How the commands of other processes reach a running <c>graphcast serve</c>: <c>DIR/serve.json</c>, a
/// <see cref="ClusterProfile"/> of one localhost silo over the local store <c>DIR</c> (its ports, cluster id and process
/// id), written once the silo is up and removed when it stops. A profile whose process is gone (a killed <c>serve</c>) is
/// ignored.
/// </summary>
public static class ServeProfile
{
    public const string FileName = "serve.json";

    /// <summary>The profile file of the store folder <paramref name="directory"/>.</summary>
    public static string PathOf(string directory) => Path.Combine(Path.GetFullPath(directory), FileName);

    /// <summary>Publishes this process's silo (<paramref name="clientConfiguration"/>: what a client needs to reach it).</summary>
    public static void Write(string directory, IReadOnlyDictionary<string, string?> clientConfiguration)
    {
        ArgumentNullException.ThrowIfNull(clientConfiguration);
        new ClusterProfile
        {
            Configuration = new Dictionary<string, string?>(clientConfiguration, StringComparer.Ordinal),
            Silos = [new SiloState { Name = "serve", Pid = Environment.ProcessId }],
        }.Save(PathOf(directory));
    }

    /// <summary>The profile of the <c>serve</c> running on <paramref name="directory"/>, or null when none runs there.</summary>
    public static string? FindRunning(string directory)
    {
        var path = PathOf(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return ClusterProfile.Load(path).Silos is [{ Pid: var pid }] && DetachedProcess.IsAlive(pid) ? path : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Removes the profile if this process wrote it.</summary>
    public static void Remove(string directory)
    {
        var path = PathOf(directory);
        try
        {
            if (File.Exists(path) && ClusterProfile.Load(path).Silos is [{ Pid: var pid }] && pid == Environment.ProcessId)
            {
                File.Delete(path);
            }
        }
        catch (InvalidDataException)
        {
            // Not ours to judge: leave it.
        }
    }
}
