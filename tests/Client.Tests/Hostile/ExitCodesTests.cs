using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Tests.Hostile;

/// <summary>The error boundary's last resort: an exception no rule maps is a bug, reported in one line with a report file.</summary>
public sealed class ExitCodesTests
{
    [Fact]
    public void Input_and_file_failures_map_to_exit_codes_and_an_unmapped_exception_is_a_bug_with_a_full_report()
    {
        Assert.Equal((ExitCodes.Failed, "'x.nc' is damaged."), ExitCodes.Classify(new InvalidDataException("'x.nc' is damaged."), cancelled: false));
        Assert.Equal((ExitCodes.Failed, "Access to the path '/x' is denied."), ExitCodes.Classify(new UnauthorizedAccessException("Access to the path '/x' is denied."), cancelled: false));
        Assert.Equal((ExitCodes.Cancelled, "cancelled."), ExitCodes.Classify(new OperationCanceledException(), cancelled: true));
        Assert.Null(ExitCodes.Classify(new InvalidOperationException("a bug"), cancelled: false));

        Exception bug;
        try
        {
            throw new InvalidOperationException("a bug");
        }
        catch (InvalidOperationException e)
        {
            bug = e;
        }

        var report = ExitCodes.WriteReport(bug, ["forecast", "--steps", "2"]);
        try
        {
            Assert.NotNull(report);
            var text = File.ReadAllText(report);
            Assert.StartsWith("graphcast forecast --steps 2" + Environment.NewLine, text, StringComparison.Ordinal);
            Assert.Contains("System.InvalidOperationException: a bug", text, StringComparison.Ordinal);
            Assert.Contains(nameof(Input_and_file_failures_map_to_exit_codes_and_an_unmapped_exception_is_a_bug_with_a_full_report), text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(report!);
        }
    }

    [Fact]
    public void A_cluster_that_stops_answering_is_one_line_with_exit_1_and_not_a_bug()
    {
        Assert.Equal(
            (ExitCodes.Failed, "the cluster did not answer (Unable to connect to endpoint S127.0.0.1:30000:0). A run it holds goes on: 'graphcast cluster status' shows its processes; try the command again once a gateway is up."),
            ExitCodes.Classify(new global::Orleans.Runtime.Messaging.ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:30000:0"), cancelled: false));
        Assert.Equal(ExitCodes.Failed, ExitCodes.Classify(new global::Orleans.Runtime.SiloUnavailableException("silo died"), cancelled: false)?.Code);
        Assert.Equal((ExitCodes.Failed, "run r has made no progress"), ExitCodes.Classify(new RunStalledException("run r has made no progress"), cancelled: false));
        // An Orleans failure that is not about reaching the cluster stays a bug.
        Assert.Null(ExitCodes.Classify(new global::Orleans.Runtime.OrleansException("a bug"), cancelled: false));
    }
}
