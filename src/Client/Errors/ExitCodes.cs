using System.Text.RegularExpressions;

namespace GraphCast.Orleans.Client.Errors;

/// <summary>
/// The CLI's error boundary: the one place where an exception that reaches the command line becomes an exit code and a
/// one-line message on stderr. Rules are tried in order and the first that matches wins; an exception no rule matches is a
/// bug and surfaces with its stack trace. To map a new kind of failure, add a rule (and a line to docs/cli.md).
/// </summary>
public static partial class ExitCodes
{
    /// <summary>The command did what was asked (a run it followed completed).</summary>
    public const int Success = 0;

    /// <summary>The command line was right but the work failed: bad or unreadable input data, a run that ended failed or cancelled, a cluster that could not be started or reached.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: an unknown command or option, a malformed or missing value, options that exclude each other, a named file or run that is not there.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted with Ctrl-C (SIGINT) before the command finished; an embedded run stops, a cluster run goes on.</summary>
    public const int Cancelled = 130;

    /// <summary>
    /// A bug in graphcast, not in the input: an exception no rule maps. The command prints one line naming the exception
    /// and the file with the full report (<see cref="WriteReport"/>); 70 is EX_SOFTWARE of BSD's sysexits.
    /// </summary>
    public const int InternalError = 70;

    /// <summary>Which exceptions map to which exit code, in order (first match wins).</summary>
    private static readonly Rule[] Rules =
    [
        new(static (e, _) => e is UsageException, Usage),
        // Interrupted while the silo was still starting, Orleans says so with its own exception type.
        new(static (e, cancelled) => cancelled && e is OperationCanceledException or global::Orleans.Runtime.OrleansLifecycleCanceledException, Cancelled),
        new(static (e, _) => e is ClusterException or RunStalledException, Failed),
        // A cluster that went away under a command (its gateways died, a request timed out): the run itself goes on.
        new(static (e, _) => e is global::Orleans.Runtime.OrleansException or TimeoutException && GraphCast.Orleans.Storage.Faults.TransientFaults.IsTransient(e), Failed,
            static e => $"the cluster did not answer ({OneLine(e.Message)}). A run it holds goes on: 'graphcast cluster status' shows its processes; try the command again once a gateway is up."),
        new(static (e, _) => e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or KeyNotFoundException or DllNotFoundException, Failed),
        // A file or folder the system refused (permissions, a full disk, a path that is a folder): its message names the path.
        new(static (e, _) => e is UnauthorizedAccessException or IOException, Failed),
    ];

    /// <summary>
    /// The exit code and the one-line message (without the <c>graphcast: </c> prefix) for <paramref name="exception"/>, or
    /// null when no rule matches (a bug: let it surface). <paramref name="cancelled"/>: whether the user interrupted.
    /// </summary>
    public static (int Code, string Message)? Classify(Exception exception, bool cancelled)
    {
        ArgumentNullException.ThrowIfNull(exception);
        foreach (var rule in Rules)
        {
            if (rule.Matches(exception, cancelled))
            {
                return (rule.Code, rule.Code == Cancelled ? "cancelled." : rule.Describe is { } describe ? describe(exception) : OneLine(exception.Message));
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the full report of an unexpected exception (type, message, stack, inner exceptions, the command line) to a
    /// new file in the temporary folder and returns its path, or null when even that fails.
    /// </summary>
    public static string? WriteReport(Exception exception, IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            var path = Path.Combine(Path.GetTempPath(), $"graphcast-error-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.txt");
            File.WriteAllText(path, $"graphcast {string.Join(' ', args)}{Environment.NewLine}{DateTime.UtcNow:O}{Environment.NewLine}{exception}{Environment.NewLine}");
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A message as one line: <see cref="ArgumentException"/>'s "(Parameter 'x')" suffix dropped, line breaks joined.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', ParameterSuffix().Replace(message, "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex(@" \(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    private sealed record Rule(Func<Exception, bool, bool> Matches, int Code, Func<Exception, string>? Describe = null);
}
