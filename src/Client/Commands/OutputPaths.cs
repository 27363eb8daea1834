using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// Checks of the paths a command will write, made before it writes anything: an output file that is not a folder, in a
/// folder that exists and can be written; an output folder that is not a file, under a folder that can be written. Each
/// failure is one line naming the option, the path and the fix (exit code 2).
/// </summary>
public static class OutputPaths
{
    /// <summary>The full path of the file <paramref name="path"/> that option <paramref name="option"/> names, once it is known to be writable.</summary>
    public static string RequireWritableFile(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} {path}: '{full}' is a folder; give the name of a file (in it, or elsewhere).");
        }

        var folder = Path.GetDirectoryName(full)!;
        if (File.Exists(folder))
        {
            throw new UsageException($"{option} {path}: '{folder}' is a file, not a folder; pick a path in a folder.");
        }

        if (!Directory.Exists(folder))
        {
            throw new UsageException($"{option} {path}: the folder '{folder}' does not exist; create it or pick another path.");
        }

        RequireWritableFolder(folder, option, path);
        return full;
    }

    /// <summary>
    /// The full path of the folder <paramref name="path"/> that option <paramref name="option"/> names (it may not exist
    /// yet), once it is known not to be a file and its nearest existing folder to be writable. Creates nothing.
    /// </summary>
    public static string RequireWritableFolderPath(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        for (var p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                throw new UsageException(p == full
                    ? $"{option} {path}: '{full}' is a file, not a folder; give a folder (it is created if missing)."
                    : $"{option} {path}: '{p}' is a file, so no folder can be made under it; pick another path.");
            }

            if (Directory.Exists(p))
            {
                RequireWritableFolder(p, option, path);
                return full;
            }
        }

        return full;
    }

    /// <summary>Whether this process may create files in <paramref name="folder"/>, found by creating (and at once deleting) one.</summary>
    private static void RequireWritableFolder(string folder, string option, string given)
    {
        var probe = Path.Combine(folder, $".graphcast-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {given}: '{folder}' cannot be written (permission denied); pick a folder you can write, or fix its permissions.");
        }
        catch (IOException e)
        {
            throw new UsageException($"{option} {given}: '{folder}' cannot be written ({ExitCodes.OneLine(e.Message).TrimEnd('.')}); pick a folder you can write.");
        }
    }
}
