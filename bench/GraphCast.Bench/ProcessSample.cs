using System.Globalization;
using System.Runtime.InteropServices;

namespace GraphCast.Bench;

/// <summary>
/// Resource counters of this process: peak and current resident memory (<c>/proc/self/status</c>), page faults and CPU
/// time split into user and system (<c>getrusage</c>). Differences of two samples measure a piece of work.
/// </summary>
internal readonly partial record struct ProcessSample(long PeakRssBytes, long RssBytes, long MinorFaults, long MajorFaults, TimeSpan User, TimeSpan System)
{
    private const int RusageSelf = 0;

    public TimeSpan Cpu => User + System;

    public static ProcessSample Now()
    {
        long peak = 0, rss = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
        }

        if (GetRusage(RusageSelf, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        return new ProcessSample(peak, rss, usage.MinorFaults, usage.MajorFaults, usage.User.ToTimeSpan(), usage.System.ToTimeSpan());
    }

    /// <summary>
    /// Resets the peak resident set (VmHWM) to the current one, so that a later sample's peak covers only what ran in
    /// between (Linux ≥ 4.0, <c>echo 5 &gt; /proc/self/clear_refs</c>). False when the kernel refuses.
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, out Rusage usage);

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct TimeVal
    {
        public readonly long Seconds;
        public readonly long Microseconds;

        public TimeSpan ToTimeSpan() => TimeSpan.FromSeconds(Seconds) + TimeSpan.FromMicroseconds(Microseconds);
    }

    /// <summary>Linux x86-64 <c>struct rusage</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Rusage
    {
        public readonly TimeVal User;
        public readonly TimeVal System;
        public readonly long MaxRss;
        public readonly long SharedRss;
        public readonly long UnsharedData;
        public readonly long UnsharedStack;
        public readonly long MinorFaults;
        public readonly long MajorFaults;
        public readonly long Swaps;
        public readonly long BlockReads;
        public readonly long BlockWrites;
        public readonly long MessagesSent;
        public readonly long MessagesReceived;
        public readonly long Signals;
        public readonly long VoluntarySwitches;
        public readonly long InvoluntarySwitches;
    }
}
