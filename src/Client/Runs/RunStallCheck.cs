using System.Globalization;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Client.Runs;

/// <summary>
/// Notices a cluster run that nothing hosts: its member steps have not moved for <see cref="Window"/> (at least
/// <see cref="StalledAfter"/>, and at least <see cref="StepTimes"/> times its slowest member's mean step time) and none of its
/// unfinished members is on an active silo (every compute silo has gone, or none ever joined). A run that is merely slow, or
/// whose members are being re-placed after a silo died, keeps moving or sits on a live silo, and is not reported.
/// </summary>
/// <param name="stalledAfter">The shortest time without progress before the hosting is checked.</param>
/// <param name="activeSilos">The addresses (<c>S127.0.0.1:port:generation</c>) of the cluster's active silos.</param>
/// <param name="time">The clock (the system's by default).</param>
public sealed class RunStallCheck(TimeSpan stalledAfter, Func<CancellationToken, Task<IReadOnlySet<string>>> activeSilos, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The default of <c>--stalled-after</c>: long enough for a GPU node pool to scale up from zero.</summary>
    public static readonly TimeSpan DefaultStalledAfter = TimeSpan.FromMinutes(10);

    /// <summary>How many mean step times of the slowest member a run may go without progress before its hosting is checked.</summary>
    public const int StepTimes = 20;

    /// <summary>The shortest time without progress before the hosting is checked.</summary>
    public TimeSpan StalledAfter { get; } = stalledAfter;

    private int _lastSteps = -1;
    private DateTimeOffset _lastProgress = (time ?? TimeProvider.System).GetUtcNow();

    /// <summary>How long the run may go without progress, given its members' step times so far.</summary>
    public TimeSpan Window(RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var slowest = status.Members
            .Where(m => m.Step > m.ResumedFrom && m.TotalStepSeconds > 0)
            .Select(m => m.TotalStepSeconds / (m.Step - m.ResumedFrom))
            .DefaultIfEmpty(0)
            .Max();
        var byStepTime = TimeSpan.FromSeconds(StepTimes * slowest);
        return byStepTime > StalledAfter ? byStepTime : StalledAfter;
    }

    /// <summary>
    /// Records <paramref name="status"/>; returns the one-line report when the run has stalled with no active silo hosting
    /// its unfinished members, else null.
    /// </summary>
    public async Task<string?> CheckAsync(RunStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        var steps = status.Members.Sum(m => m.Step);
        var now = _time.GetUtcNow();
        if (steps != _lastSteps)
        {
            _lastSteps = steps;
            _lastProgress = now;
            return null;
        }

        var stalled = now - _lastProgress;
        if (status.IsFinished || stalled < Window(status))
        {
            return null;
        }

        var active = await activeSilos(cancellationToken).ConfigureAwait(false);
        var unfinished = status.Members.Where(m => m.State is MemberState.Pending or MemberState.Running).ToList();
        if (unfinished.Count == 0 || unfinished.Any(m => m.Silo is not null && active.Contains(m.Silo)))
        {
            // Someone hosts a member (or only the run's own bookkeeping is left): wait another window before asking again.
            _lastProgress = now;
            return null;
        }

        var runId = status.RunId;
        return string.Create(CultureInfo.InvariantCulture,
            $"run {runId} has made no progress for {stalled.TotalSeconds:F0} s ({steps}/{status.Spec.Members * status.Spec.Steps} member steps) and no active silo hosts its members " +
            $"(the cluster has {active.Count} active silo{(active.Count == 1 ? "" : "s")}, none running them{(status.Waiting is null ? "" : "; the run says: " + status.Waiting.TrimEnd('.'))}). " +
            $"It goes on by itself once a compute silo joins (a local cluster: 'graphcast cluster add-silo'); then follow it again with 'graphcast watch {runId} --cluster'.");
    }
}
