using System.Diagnostics;
using System.Text.Json;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Tests.Cluster;

namespace GraphCast.Orleans.Client.Tests.Hostile;

/// <summary>
/// One owner per run on a local store, and what the others see: a second process with the same run id and folder refuses
/// naming the first; once the first is killed, <c>watch</c> says nobody runs the run and gives the resume command, and
/// <c>resume</c> finishes it. Also: the engine's logs never reach stdout, and a user error prints no stack trace.
/// </summary>
// Timed against real processes: alone, so that a busy thread pool does not stretch the polling between steps.
[Collection(nameof(SystemTestCollection))]
public sealed class RunOwnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-owner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "graphcast")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    [Fact]
    public async Task A_second_process_refuses_a_run_being_run_and_watch_of_a_killed_run_gives_the_resume_command()
    {
        var output = Path.Combine(_dir, "out");
        using var first = Start(_dir, "forecast", "--preset", "tiny", "--members", "2", "--steps", "40", "--output", output, "--run-id", "owned");
        var firstError = first.StandardError.ReadToEndAsync();
        _ = first.StandardOutput.ReadToEndAsync();
        var manifest = Path.Combine(output, "runs", "owned", "run.json");
        var waited = Stopwatch.StartNew();
        while (!File.Exists(manifest))
        {
            if (first.HasExited)
            {
                Assert.Fail("the first forecast ended early: " + await firstError); // Awaited only then: it waits for the end.
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), "waited 3 min for the first forecast to create its run");
            await Task.Delay(200);
        }

        var holder = $"graphcast: Run 'owned' in {output} is being run by process {first.Id} (since ";
        var (code, _, error) = await Cli.RunAsync("forecast", "--preset", "tiny", "--members", "2", "--steps", "40", "--output", output, "--run-id", "owned");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith(holder, error, StringComparison.Ordinal);
        Assert.EndsWith($"); wait for it to finish, follow it with 'graphcast watch owned --output {output}', or stop that process first.", error.TrimEnd(), StringComparison.Ordinal);
        var (resumeCode, _, resumeError) = await Cli.RunAsync("resume", "owned", "--output", output);
        Assert.Equal(ExitCodes.Usage, resumeCode);
        Assert.StartsWith(holder, resumeError, StringComparison.Ordinal);
        Assert.False(first.HasExited, "the first forecast ended while the others were refused");

        first.Kill(); // SIGKILL: no chance to release anything; the kernel drops the lock.
        await first.WaitForExitAsync();
        var (watchCode, watchOut, watchError) = await Cli.RunAsync("watch", "owned", "--output", output);
        Assert.Equal(ExitCodes.Failed, watchCode);
        Assert.Matches(
            $@"^graphcast: run owned is Running at \d+/80 member steps, but no process is running it \(the one that ran it ended before it finished\)\. Continue it with: graphcast resume owned --output {System.Text.RegularExpressions.Regex.Escape(output)}$",
            watchError.TrimEnd());
        Assert.DoesNotContain("Running", watchOut, StringComparison.Ordinal);

        var (resumed, resumedOut, resumedError) = await Cli.RunAsync("resume", "owned", "--output", output);
        Assert.True(resumed == 0, resumedOut + resumedError);
        using var done = JsonDocument.Parse(File.ReadAllText(manifest));
        Assert.Equal("Completed", done.RootElement.GetProperty("state").GetString());
        Assert.Equal(80, done.RootElement.GetProperty("members").EnumerateArray().Sum(m => m.GetProperty("step").GetInt32()));
    }

    [Fact]
    public async Task A_user_error_inside_the_engine_is_one_line_on_stderr_with_no_log_or_stack_trace_on_stdout()
    {
        using (var first = Start(_dir, "forecast", "--preset", "tiny", "--members", "1", "--steps", "1", "--run-id", "logs"))
        {
            var (firstOut, firstError) = (first.StandardOutput.ReadToEndAsync(), first.StandardError.ReadToEndAsync());
            await first.WaitForExitAsync();
            Assert.True(first.ExitCode == 0, await firstOut + await firstError);
        }

        // The run grain refuses a different spec for the same run id: an ArgumentException thrown inside the silo.
        using var second = Start(_dir, "forecast", "--preset", "tiny", "--members", "1", "--steps", "2", "--run-id", "logs");
        var (stdout, stderr) = (second.StandardOutput.ReadToEndAsync(), second.StandardError.ReadToEndAsync());
        await second.WaitForExitAsync();
        Assert.Equal(ExitCodes.Usage, second.ExitCode);
        Assert.Equal("graphcast: Run 'logs' already exists with a different spec. Use another --run-id, or 'graphcast resume logs' to continue it.", (await stderr).TrimEnd());
        Assert.Equal($"Starting an embedded silo (storage: {Path.Combine(_dir, "graphcast-output")}) ...", (await stdout).TrimEnd());
    }
}
