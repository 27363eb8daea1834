using System.Text.Json;
using System.Text.Json.Serialization;

namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// How to reach a cluster, in one file (<c>cluster.json</c>) that its silos and its clients read: the configuration keys
/// the silo understands (<c>Cluster:*</c>, <c>Storage:*</c>, <c>Engine:*</c>, …) and, for a local cluster that
/// <c>graphcast cluster up</c> started, the processes it runs (Azurite and the silos). For a production cluster the file
/// holds only configuration; secrets may stay out of it and come from <c>GRAPHCAST_*</c> environment variables or
/// <c>DefaultAzureCredential</c>.
/// </summary>
public sealed class ClusterProfile
{
    public const string FileName = "cluster.json";

    /// <summary>The default folder of the local cluster (relative to the working directory).</summary>
    public const string DefaultDirectory = ".graphcast-cluster";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Silo and client configuration as flat keys (<c>Section:Key</c>).</summary>
    public Dictionary<string, string?> Configuration { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The local cluster's Azurite, when <c>cluster up</c> started one.</summary>
    public AzuriteState? Azurite { get; set; }

    /// <summary>The local cluster's silo processes.</summary>
    public List<SiloState> Silos { get; set; } = [];

    /// <summary>The profile file of <paramref name="directoryOrFile"/> (a folder holding cluster.json, or the file itself).</summary>
    public static string PathOf(string directoryOrFile) =>
        Path.GetFullPath(directoryOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? directoryOrFile : Path.Combine(directoryOrFile, FileName));

    public static bool Exists(string directoryOrFile) => File.Exists(PathOf(directoryOrFile));

    /// <summary>Reads a profile; a missing or unreadable one gives a message that says how to make one.</summary>
    public static ClusterProfile Load(string directoryOrFile)
    {
        var path = PathOf(directoryOrFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No cluster profile at {path}. Start a local cluster with 'graphcast cluster up --silos 3' (it writes one there), " +
                "or point --cluster-dir at the folder of your cluster's cluster.json.", path);
        }

        ClusterProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<ClusterProfile>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: text that is not UTF-8.
            throw new InvalidDataException($"The cluster profile {path} is not valid JSON ({e.Message}). Fix it, or remove it and run 'graphcast cluster up' again.", e);
        }

        // Shapes JSON allows but a profile cannot have: checked here, so that no command trips over them later.
        var problem = profile switch
        {
            null => "it is empty (null)",
            { Configuration: null } => "its Configuration is null",
            { Silos: null } => "its Silos is null",
            _ when profile.Silos.Any(s => s is null || s.Name is null || s.Log is null) => "a silo entry is null or lacks its Name or Log",
            _ when profile.Configuration.Keys.Any(string.IsNullOrWhiteSpace) => "a Configuration key is empty",
            _ when profile.Azurite is { } a && (a.DataDirectory is null || a.Log is null) => "its Azurite entry lacks DataDirectory or Log",
            _ => null,
        };
        return problem is null ? profile! : throw new InvalidDataException(
            $"The cluster profile {path} is damaged: {problem}. Fix it, or remove it and run 'graphcast cluster up' again.");
    }

    /// <summary>Writes the profile atomically (a reader never sees half a file).</summary>
    public void Save(string directoryOrFile)
    {
        var path = PathOf(directoryOrFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}
