using System.Net;
using GraphCast.Orleans.Grains.Placement;

namespace GraphCast.Orleans.Grains.Tests.Placement;

/// <summary>
/// The load view counts each placed member exactly once: before any report shows it (still activating, even when a report
/// was taken after the placement), and by its silo's report once it shows there.
/// </summary>
public sealed class ComputeLoadViewTests
{
    private static readonly SiloAddress A = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress B = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    private static GrainId Member(int m) => GrainId.Create("member", $"run/{m}");

    private static SiloLoad Report(SiloAddress silo, params int[] members) =>
        new(silo, members.Length, DateTime.UtcNow, members.Select(Member).ToArray());

    [Fact]
    public void A_placement_counts_until_its_silos_report_shows_it_and_then_once()
    {
        var view = new ComputeLoadView();
        view.Update([Report(A), Report(B)]);
        view.Placed(A, Member(0));
        view.Placed(A, Member(1));
        view.Placed(B, Member(2));
        Assert.Equal((2, 1), (view.EstimatedActive(A), view.EstimatedActive(B)));

        // A report taken after the placements, while member 1 is still activating: member 1 still counts.
        view.Update([Report(A, 0), Report(B)]);
        Assert.Equal((2, 1), (view.EstimatedActive(A), view.EstimatedActive(B)));

        // Both show now: counted by the reports, not twice.
        view.Update([Report(A, 0, 1), Report(B, 2)]);
        Assert.Equal((2, 1), (view.EstimatedActive(A), view.EstimatedActive(B)));

        // Member 0 finished: the next report drops it.
        view.Update([Report(A, 1), Report(B, 2)]);
        Assert.Equal((1, 1), (view.EstimatedActive(A), view.EstimatedActive(B)));
    }

    [Fact]
    public void A_silo_without_a_report_counts_its_placements()
    {
        var view = new ComputeLoadView();
        view.Placed(B, Member(0));
        Assert.Equal((0, 1), (view.EstimatedActive(A), view.EstimatedActive(B)));
    }

    [Fact]
    public void Members_leave_the_load_when_their_loops_end()
    {
        var load = new ComputeLoad();
        var first = load.Enter(Member(0));
        var second = load.Enter(Member(1));
        Assert.Equal([Member(0), Member(1)], load.Members.OrderBy(m => m.ToString()));
        first.Dispose();
        first.Dispose();
        Assert.Equal([Member(1)], load.Members);
        second.Dispose();
        Assert.Equal(0, load.ActiveMembers);
    }
}
