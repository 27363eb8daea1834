using System.Globalization;
using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Runs;

/// <summary>
/// One owner per run on a local store: the process that runs a run on <c>--output DIR</c> holds an exclusive OS lock on
/// <c>DIR/.graphcast/locks/RUN.lock</c> (flock, which the kernel drops when the process ends, however it ends, so a killed
/// process leaves nothing stuck) and records its process id beside it in <c>RUN.owner</c>. A second process refuses with
/// one line naming the holder; <c>watch</c> learns from the same lock whether anyone still runs the run.
/// </summary>
public sealed class RunOwnerLock : IDisposable
{
    private readonly FileStream _lock;

    private RunOwnerLock(FileStream held) => _lock = held;

    /// <summary>Takes the lock of <paramref name="runId"/> in the storage folder <paramref name="directory"/>.</summary>
    /// <exception cref="UsageException">Another process holds it; the message names its process id and what to do.</exception>
    public static RunOwnerLock Acquire(string directory, string runId)
    {
        var (lockPath, ownerPath) = Paths(directory, runId);
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        FileStream held;
        try
        {
            // FileShare.None is flock(LOCK_EX | LOCK_NB) on Linux: exclusive between processes, released by the kernel on exit.
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException)
        {
            throw new UsageException(
                $"Run '{runId}' in {Path.GetFullPath(directory)} is being run by {Holder(ownerPath)}; wait for it to finish, follow it with 'graphcast watch {runId} --output {directory}', or stop that process first.");
        }

        File.WriteAllText(ownerPath, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {DateTime.UtcNow:O}"));
        return new RunOwnerLock(held);
    }

    /// <summary>
    /// Whether a live process holds the lock of <paramref name="runId"/> in <paramref name="directory"/>. Creates nothing: a
    /// run whose lock file is missing was never run here by a process that takes it, so nobody holds it.
    /// </summary>
    public static bool IsHeld(string directory, string runId)
    {
        var (lockPath, _) = Paths(directory, runId);
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _lock.Dispose();

    private static string Holder(string ownerPath)
    {
        try
        {
            var parts = File.ReadAllText(ownerPath).Split(' ', 2);
            return parts.Length == 2 ? $"process {parts[0]} (since {parts[1]})" : $"process {parts[0]}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }

    private static (string Lock, string Owner) Paths(string directory, string runId)
    {
        var folder = Path.Combine(Path.GetFullPath(directory), ".graphcast", "locks");
        return (Path.Combine(folder, runId + ".lock"), Path.Combine(folder, runId + ".owner"));
    }
}
