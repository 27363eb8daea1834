namespace GraphCast.Testing;

/// <summary>
/// The project's shared real data (<c>shared/data</c>), which lives beside the checkout: <c>&lt;root&gt;/../shared/data</c>,
/// as CI clones it.
/// </summary>
public static class SharedData
{
    /// <summary>The folder <c>&lt;root&gt;/../shared/data</c>.</summary>
    public static string Directory => Path.GetFullPath(Path.Combine(RepositoryRoot.Find(), "..", "shared", "data"));

    /// <summary>The path of a shared data file, e.g. <c>File("ifs-2024-06-03", "pl_regular_ll.nc")</c>.</summary>
    /// <exception cref="FileNotFoundException">The file is absent; the message says where shared/ is expected.</exception>
    public static string File(params string[] parts)
    {
        var path = Path.Combine([Directory, .. parts]);
        return System.IO.File.Exists(path) ? path
            : throw new FileNotFoundException(
                $"Shared data file '{path}' is missing. Tests expect the project's shared/ folder beside the checkout (<root>/../shared).", path);
    }
}
