using System.CommandLine;
using GraphCast.Testing;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>
/// The command line's surface: help for every command listing every option with its description, <c>--version</c> with the
/// commit, suggestions for mistyped commands and options, and the completion scripts.
/// </summary>
public sealed class CommandLineSyntaxTests
{
    /// <summary>Every command of the tree, as the words that invoke it (without <c>graphcast</c>).</summary>
    public static TheoryData<string> Commands() => [.. CommandPaths()];

    private static List<string> CommandPaths()
    {
        var paths = new List<string>();
        void Walk(Command command, string path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, (path + " " + sub.Name).Trim());
            }
        }

        Walk(CommandLine.Create(), "");
        return paths;
    }

    [Fact]
    public void The_tree_has_every_command_of_the_readme_and_design()
    {
        var paths = CommandPaths().ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "forecast", "runs", "status", "watch", "cancel", "resume", "verify", "export", "plot", "cluster", "cluster up", "cluster down",
            "cluster status", "cluster add-silo", "cluster kill-silo", "silo", "model", "model describe", "demo", "tisr", "completion",
            "schedule", "schedule add", "schedule list", "schedule show", "schedule history", "schedule pause", "schedule resume",
            "schedule trigger", "schedule backfill", "schedule remove", "schedule pin", "serve",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_of_each_command_lists_each_option_with_its_description(string path)
    {
        var words = path.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var command = words.Aggregate((Command)CommandLine.Create(), (c, w) => c.Subcommands.Single(s => s.Name == w));
        var (code, output, error) = await Cli.RunAsync([.. words, "--help"]);
        Assert.True(code == 0, error);
        Assert.Contains($"graphcast {path}".TrimEnd(), output, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{path}' has no description");
        foreach (var option in command.Options)
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"'{path}' option {option.Name} has no description");
            Assert.Contains(option.Name, output, StringComparison.Ordinal);
            // The description's first words (help wraps long lines).
            Assert.Contains(string.Join(' ', option.Description!.Split(' ').Take(3)), output, StringComparison.Ordinal);
        }

        foreach (var sub in command.Subcommands)
        {
            Assert.Contains(sub.Name, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("forecast", "--preset --checkpoint --stats --members --steps --seed --init --init-time --fill --perturb --checkpoint-every --output --cluster --cluster-dir --run-id")]
    [InlineData("cluster up", "--silos --dir --cluster-dir --azurite --no-compute-silos")]
    [InlineData("cluster status", "--json --dir")]
    [InlineData("export", "--format --out --output --cluster")]
    [InlineData("runs", "--json --output --cluster")]
    [InlineData("status", "--json --output --cluster")]
    [InlineData("verify", "--json --truth --climatology --out")]
    [InlineData("model describe", "--preset --checkpoint --json --graph-cache")]
    public async Task The_design_spellings_are_in_the_help(string path, string options)
    {
        var (code, output, _) = await Cli.RunAsync([.. path.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.All(options.Split(' '), o => Assert.Contains(o, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Version_is_the_informational_version_with_the_commit_it_was_built_from()
    {
        var head = (await ExternalTool.RunAsync("git", "git", "-C", RepositoryRoot.Find(), "rev-parse", "HEAD")).Trim();
        var (code, output, error) = await Cli.RunAsync("--version");
        Assert.True(code == 0, error);
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\+[0-9a-f]{40}$", output.Trim());
        // The build embeds HEAD at build time: a commit made since the last build is what `dotnet test` rebuilds for.
        Assert.EndsWith("+" + head, output.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "forcast" }, "'forcast'", "Did you mean 'forecast'?")]
    [InlineData(new[] { "cluster", "stauts" }, "'stauts'", "Did you mean 'status'?")]
    [InlineData(new[] { "forecast", "--member", "2" }, "'--member'", "Did you mean '--members'?")]
    [InlineData(new[] { "runs", "--jsn" }, "'--jsn'", "Did you mean '--json'?")]
    public async Task A_mistyped_command_or_option_is_one_line_with_a_suggestion(string[] args, string token, string suggestion)
    {
        var (code, output, error) = await Cli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("graphcast: Unrecognized command or argument " + token, error, StringComparison.Ordinal);
        Assert.Contains(suggestion, error, StringComparison.Ordinal);
        Assert.Contains("--help' for its", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_command_prints_the_help_and_exits_2()
    {
        var (code, output, _) = await Cli.RunAsync();
        Assert.Equal(2, code);
        Assert.Contains("forecast", output, StringComparison.Ordinal);
        Assert.Contains("completion", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _graphcast_complete graphcast")]
    [InlineData("zsh", "compdef _graphcast_complete graphcast")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName graphcast")]
    public async Task Completion_prints_a_script_that_asks_graphcast_through_the_suggest_directive(string shell, string registration)
    {
        var (code, script, error) = await Cli.RunAsync("completion", shell);
        Assert.True(code == 0, error);
        Assert.Contains(registration, script, StringComparison.Ordinal);
        Assert.Contains("[suggest:", script, StringComparison.Ordinal);
        var (bad, _, badError) = await Cli.RunAsync("completion", "fish");
        Assert.Equal(2, bad);
        Assert.Contains("'fish'", badError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bash_script_is_valid_bash_and_completes_commands_options_and_presets_from_the_real_binary()
    {
        var (_, script, _) = await Cli.RunAsync("completion", "bash");
        var file = Path.Combine(Path.GetTempPath(), $"graphcast-completion-{Guid.NewGuid():N}.bash");
        await File.WriteAllTextAsync(file, script);
        try
        {
            await ExternalTool.RunAsync("bash", "bash", "-n", file);
            // Tab after "graphcast ", "graphcast forecast --pre" and "graphcast forecast --preset g", with the built apphost on PATH.
            var probe = $$"""
                export PATH="{{AppContext.BaseDirectory}}:$PATH"
                source "{{file}}"
                complete_line() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _graphcast_complete; echo "${COMPREPLY[*]}"; }
                complete_line "graphcast "
                complete_line "graphcast forecast --pre"
                complete_line "graphcast forecast --preset g"
                """;
            var lines = (await ExternalTool.RunAsync("bash", "bash", "-c", probe)).Split('\n');
            Assert.All(new[] { "forecast", "runs", "status", "cluster", "export", "verify", "completion" }, c => Assert.Contains(c, lines[0].Split(' ')));
            Assert.Equal("--preset", lines[1]);
            Assert.Equal(["graphcast-0.25deg", "graphcast-operational", "graphcast-small"], lines[2].Split(' ').Order(StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
