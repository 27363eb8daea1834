using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using GraphCast.Orleans.Client.Commands;
using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client;

/// <summary>
/// The <c>graphcast</c> command line on System.CommandLine: the command tree (help for every command, <c>--version</c> with
/// the commit, typo suggestions, the <c>[suggest]</c> directive behind shell completion), and its errors as one line on
/// stderr with the exit codes of <see cref="ExitCodes"/>.
/// </summary>
public static class CommandLine
{
    /// <summary>The command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("graphcast — GraphCast ensemble rollouts on Orleans: forecasts on an embedded silo or a cluster, their results, and local clusters.")
        {
            HelpName = "graphcast",
        };
        root.Subcommands.Add(ForecastCommand.Create());
        foreach (var command in RunsCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(ScheduleCommands.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ClusterCommands.CreateCluster());
        root.Subcommands.Add(ClusterCommands.CreateSilo());
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(TisrCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, output, error, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code. A bug is one line with the report's path (<see cref="ExitCodes.InternalError"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        var root = Create();
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            // Ctrl-C is the caller's cancellation token (Program.cs): a cluster run detaches, an embedded one stops cleanly.
            ProcessTerminationTimeout = null,
        };
        if (args.Length == 0)
        {
            await root.Parse(["--help"]).InvokeAsync(configuration, cancellationToken);
            return ExitCodes.Usage;
        }

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            error.WriteLine("graphcast: " + ParseErrorLine(parse));
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception e) when (ExitCodes.Classify(e, cancellationToken.IsCancellationRequested) is { } known)
        {
            error.WriteLine("graphcast: " + known.Message);
            return known.Code;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // No rule maps it: a bug. One line, and the stack where the user can attach it to a report.
            var report = ExitCodes.WriteReport(e, args);
            error.WriteLine($"graphcast: internal error ({e.GetType().Name}: {ExitCodes.OneLine(e.Message)}); " +
                (report is null ? "no report could be written." : $"the full report is in {report}. Please report it."));
            return ExitCodes.InternalError;
        }
    }

    /// <summary>
    /// The first parse error as one line, with the closest command or option for a mistyped one (System.CommandLine's typo
    /// corrections) and where to read the command's options.
    /// </summary>
    private static string ParseErrorLine(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = string.Join(' ', CommandPath(parse.CommandResult));
        var help = $"Run '{path} --help' for {(command.Subcommands.Count > 0 && command.Options.Count <= 2 ? "its commands" : "its options")}.";
        var missing = command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && parse.GetResult(a) is not { Tokens.Count: > 0 });
        if (missing is not null && parse.Errors.Any(e => e.SymbolResult is CommandResult or ArgumentResult))
        {
            return $"'{string.Join(' ', CommandPath(parse.CommandResult).Skip(1))}' needs one {missing.Name}: {path} {missing.HelpName}. {missing.Description}";
        }

        // A mistyped command or option first: its error names the token (a missing command or value may follow from it).
        var unmatched = parse.UnmatchedTokens.FirstOrDefault();
        var error = parse.Errors.FirstOrDefault(e => unmatched is not null && e.Message.Contains($"'{unmatched}'", StringComparison.Ordinal)) ?? parse.Errors[0];
        var message = ExitCodes.OneLine(error.Message);
        var suggestions = Suggestions(parse);
        return suggestions.Count > 0
            ? $"{message} Did you mean {string.Join(" or ", suggestions.Select(s => $"'{s}'"))}? {help}"
            : $"{message} {help}";
    }

    /// <summary>System.CommandLine's typo corrections for the unmatched tokens, kept to names of the command's children.</summary>
    private static List<string> Suggestions(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count == 0 || parse.Action is not ParseErrorAction action)
        {
            return [];
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var symbol in parse.CommandResult.Command.Children)
        {
            switch (symbol)
            {
                case Option o:
                    known.Add(o.Name);
                    known.UnionWith(o.Aliases);
                    break;
                case Command c:
                    known.Add(c.Name);
                    known.UnionWith(c.Aliases);
                    break;
            }
        }

        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        using var captured = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Output = captured, Error = TextWriter.Null });
        return [.. captured.ToString().Split('\n', StringSplitOptions.TrimEntries).Where(known.Contains).Distinct()];
    }

    /// <summary>
    /// <c>--version</c>: graphcast's informational version (VERSION+COMMIT), read from this assembly rather than the entry
    /// assembly System.CommandLine reads, so that it is the same in-process (tests) and published.
    /// </summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var assembly = typeof(CommandLine).Assembly;
            parseResult.InvocationConfiguration.Output.WriteLine(
                assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                    .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().SingleOrDefault()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "unknown");
            return ExitCodes.Success;
        }
    }

    private static IEnumerable<string> CommandPath(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Push(c.Command is RootCommand ? "graphcast" : c.Command.Name);
            }
        }

        return names;
    }
}
