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
}
