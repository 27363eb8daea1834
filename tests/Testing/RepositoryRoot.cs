namespace GraphCast.Testing;

/// <summary>The checkout the tests run from: the folder holding GraphCast.Orleans.sln.</summary>
public static class RepositoryRoot
{
    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFileName = "GraphCast.Orleans.sln";

    /// <summary>
    /// Walks up from the test assembly's folder (bin/…/tests/X) to the folder holding the solution file.
    /// </summary>
    public static string Find() => Find(AppContext.BaseDirectory);

    /// <summary>Walks up from <paramref name="startDirectory"/> to the folder holding the solution file.</summary>
    public static string Find(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"{SolutionFileName} was not found in '{startDirectory}' or any folder above it. " +
            "Run the tests from a checkout of the repository (for example with scripts/test.sh).");
    }
}
