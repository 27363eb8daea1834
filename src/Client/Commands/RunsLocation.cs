using System.CommandLine;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Runs;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// The options that say where a command finds runs: <c>--output DIR</c> (the embedded silo's local storage folder) or
/// <c>--cluster</c> (a running cluster, whose profile is in <c>--cluster-dir DIR</c>).
/// </summary>
public sealed class RunsLocation
{
    /// <summary>The environment variable that sets the default <c>--cluster-dir</c>.</summary>
    public const string ClusterDirectoryVariable = "GRAPHCAST_CLUSTER_DIR";

    public RunsLocation(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Output);
        command.Options.Add(Cluster);
        command.Options.Add(ClusterDirectory);
    }

    public Option<string?> Output { get; } = CliOptions.Text("--output", $"The local storage folder of the runs, as 'graphcast forecast --output' wrote them (default {RunStorage.DefaultDirectory}).", "DIR");

    public Option<bool> Cluster { get; } = CliOptions.Flag("--cluster", "Use the runs of the running cluster whose profile is in --cluster-dir, instead of a local folder.");

    public Option<string> ClusterDirectory { get; } = ClusterDirectoryOption();

    /// <summary>
    /// <c>--cluster-dir DIR</c> (and <paramref name="aliases"/>): the folder of a cluster's <c>cluster.json</c>; default
    /// <c>GRAPHCAST_CLUSTER_DIR</c>, else <c>.graphcast-cluster</c>.
    /// </summary>
    public static Option<string> ClusterDirectoryOption(params string[] aliases) =>
        new("--cluster-dir", aliases)
        {
            Description = $"The cluster's folder, holding its cluster.json (default ${ClusterDirectoryVariable}, else {ClusterProfile.DefaultDirectory}).",
            HelpName = "DIR",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ClusterDirectoryVariable) is { Length: > 0 } dir ? dir : ClusterProfile.DefaultDirectory,
        };

    /// <summary>How to open the run storage these options name (checked now: a folder or a cluster, not both).</summary>
    public Func<CancellationToken, Task<RunStorage>> Storage(ParseResult parse, string command) =>
        RunStorage.From(parse.GetValue(Cluster), parse.GetValue(ClusterDirectory)!, parse.GetValue(Output), command);
}
