using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Runs;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>When a followed cluster run counts as unhosted: no progress for the window, and none of its members on an active silo.</summary>
public sealed class RunStallCheckTests
{
    private const string Alive = "S127.0.0.1:40001:1";
    private const string Dead = "S127.0.0.1:40002:1";

    [Fact]
    public async Task A_run_is_reported_only_after_the_window_without_progress_and_only_when_no_active_silo_hosts_a_member()
    {
        var clock = new ManualClock();
        IReadOnlySet<string> active = new HashSet<string> { Alive };
        var check = new RunStallCheck(TimeSpan.FromSeconds(30), _ => Task.FromResult(active), clock);
        // Members took 2 s a step: 20 step times are 40 s, longer than the 30 s asked for.
        var run = Status((3, Dead, 6.0), (3, Dead, 6.0));
        Assert.Equal(TimeSpan.FromSeconds(40), check.Window(run));

        Assert.Null(await check.CheckAsync(run, default));
        clock.Advance(TimeSpan.FromSeconds(39));
        Assert.Null(await check.CheckAsync(run, default));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(
            "run r has made no progress for 41 s (6/20 member steps) and no active silo hosts its members (the cluster has 1 active silo, none running them; the run says: members could not be started: no compute). " +
            "It goes on by itself once a compute silo joins (a local cluster: 'graphcast cluster add-silo'); then follow it again with 'graphcast watch r --cluster'.",
            await check.CheckAsync(run, default));

        // Progress starts the window again.
        var moved = Status((4, Dead, 8.0), (3, Dead, 6.0));
        Assert.Null(await check.CheckAsync(moved, default));
        clock.Advance(TimeSpan.FromSeconds(39));
        Assert.Null(await check.CheckAsync(moved, default));

        // A member on a live silo: slow, not unhosted.
        var hosted = Status((4, Alive, 8.0), (3, Dead, 6.0));
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(await check.CheckAsync(hosted, default));
    }

    [Fact]
    public void Without_a_step_yet_the_window_is_the_one_asked_for()
    {
        var check = new RunStallCheck(TimeSpan.FromMinutes(10), _ => Task.FromResult<IReadOnlySet<string>>(new HashSet<string>()));
        Assert.Equal(TimeSpan.FromMinutes(10), check.Window(Status((0, null, 0), (0, null, 0))));
    }

    private static RunStatus Status(params (int Step, string? Silo, double Seconds)[] members) => new()
    {
        Spec = new ForecastSpec { RunId = "r", Model = "tiny", InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc), Steps = 10, Members = members.Length },
        State = RunState.Running,
        Waiting = "members could not be started: no compute.",
        Members = members.Select((m, i) => new MemberProgress { Member = i, Step = m.Step, State = MemberState.Running, Silo = m.Silo, TotalStepSeconds = m.Seconds }).ToArray(),
    };

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
