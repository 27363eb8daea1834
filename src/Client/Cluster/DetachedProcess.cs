using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// A background process that outlives the command that started it (a local cluster's Azurite and silos): its own session
/// (<c>setsid</c>), output appended to a log file, no terminal. It is found again by process id and stopped with SIGTERM,
/// then SIGKILL if it does not exit in time.
/// </summary>
public static partial class DetachedProcess
{
    private const int Sigterm = 15;
    private const int Sigkill = 9;

    /// <summary>Starts <paramref name="executable"/> with <paramref name="arguments"/> detached; returns its process id.</summary>
    public static int Start(string executable, IEnumerable<string> arguments, string logFile, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        // sh redirects and execs setsid, which (not being a group leader) calls setsid() and execs the program: one pid
        // from start to end, in a session of its own, so a Ctrl-C in the user's terminal does not reach it.
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid \"$@\" >>\"$GRAPHCAST_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(executable);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["GRAPHCAST_LOG"] = logFile;
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                start.Environment[k] = v;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        return process.Id;
    }

    /// <summary>Whether a process with this id exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0 || Kill(pid, 0) != 0)
        {
            return false;
        }

        try
        {
            // "pid (comm) S ..." — state Z is a zombie (exited, not yet reaped by its parent).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL, like a crash.</summary>
    public static void KillNow(int pid)
    {
        if (IsAlive(pid))
        {
            _ = Kill(pid, Sigkill);
        }
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; returns once the process is gone.</summary>
    public static async Task StopAsync(int pid, TimeSpan grace)
    {
        if (!IsAlive(pid))
        {
            return;
        }

        _ = Kill(pid, Sigterm);
        var deadline = DateTime.UtcNow + grace;
        while (IsAlive(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        if (IsAlive(pid))
        {
            _ = Kill(pid, Sigkill);
            for (var i = 0; i < 50 && IsAlive(pid); i++)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
