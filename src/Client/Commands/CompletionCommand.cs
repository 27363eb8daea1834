using System.CommandLine;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast completion bash|zsh|pwsh</c>: prints a shell completion script. The script asks <c>graphcast</c> itself for
/// the completions of the line being typed, through System.CommandLine's <c>[suggest:POSITION]</c> directive, so it knows
/// every command, option and value the installed version has (presets, formats, …) without being regenerated.
/// </summary>
public static class CompletionCommand
{
    /// <summary>bash: <c>eval "$(graphcast completion bash)"</c> in ~/.bashrc.</summary>
    public const string Bash = """
        # graphcast completion for bash. Load it with:  eval "$(graphcast completion bash)"  (e.g. in ~/.bashrc).
        # graphcast answers itself: it is run with System.CommandLine's [suggest:POSITION] directive and the line so far.
        _graphcast_complete()
        {
            local line="${COMP_LINE:0:$COMP_POINT}"
            local program="${COMP_WORDS[0]}"
            local rest="${line#"$program"}"
            rest="${rest#"${rest%%[![:space:]]*}"}"
            local IFS=$'\n'
            local candidates
            candidates="$("$program" "[suggest:${#rest}]" "$rest" 2>/dev/null)" || return 0
            COMPREPLY=($(compgen -W "$candidates" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _graphcast_complete graphcast

        """;

    /// <summary>zsh: <c>eval "$(graphcast completion zsh)"</c> in ~/.zshrc (after compinit).</summary>
    public const string Zsh = """
        # graphcast completion for zsh. Load it with:  eval "$(graphcast completion zsh)"  (in ~/.zshrc, after compinit).
        # graphcast answers itself: it is run with System.CommandLine's [suggest:POSITION] directive and the line so far.
        _graphcast_complete()
        {
            local rest="${(j: :)${(@)words[2,CURRENT]}}"
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)}")
            compadd -a candidates
        }
        compdef _graphcast_complete graphcast

        """;

    /// <summary>PowerShell: <c>graphcast completion pwsh | Out-String | Invoke-Expression</c> in $PROFILE.</summary>
    public const string PowerShell = """
        # graphcast completion for PowerShell. Load it with:  graphcast completion pwsh | Out-String | Invoke-Expression  (e.g. in $PROFILE).
        # graphcast answers itself: it is run with System.CommandLine's [suggest:POSITION] directive and the line so far.
        Register-ArgumentCompleter -Native -CommandName graphcast -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.Extent.ToString()
            if ($line.Length -gt $cursorPosition - $commandAst.Extent.StartOffset) {
                $line = $line.Substring(0, $cursorPosition - $commandAst.Extent.StartOffset)
            }
            $program = $commandAst.CommandElements[0].Extent.Text
            $rest = $line.Substring($program.Length).TrimStart()
            & $program "[suggest:$($rest.Length)]" "$rest" 2>$null | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;

    public static Command Create()
    {
        var command = new Command("completion", "Print a shell completion script: eval \"$(graphcast completion bash)\" in ~/.bashrc, the same with zsh in ~/.zshrc, or graphcast completion pwsh | Out-String | Invoke-Expression in $PROFILE.");
        var shell = new Argument<string>("shell") { HelpName = "bash|zsh|pwsh", Description = "The shell: bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        command.Arguments.Add(shell);
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(parse.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => PowerShell,
            });
            return 0;
        });
        return command;
    }
}
