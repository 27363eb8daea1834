using System.CommandLine;
using GraphCast.Model.Configuration;
using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>--preset NAME | --checkpoint FILE.npz</c>: the model of a command, as the model reference a silo resolves
/// (<c>NAME</c>, or <c>checkpoint:FILE.npz</c> from the folder given to the embedded silo as its <c>Models:WeightsDirectory</c>).
/// </summary>
public sealed class ModelChoice
{
    public ModelChoice(Command command, string presetDescription)
    {
        ArgumentNullException.ThrowIfNull(command);
        Preset = CliOptions.Text("--preset", presetDescription, "NAME");
        Preset.CompletionSources.Add(_ => Presets.All.Select(p => p.Name));
        command.Options.Add(Preset);
        command.Options.Add(Checkpoint);
    }

    public Option<string?> Preset { get; }

    public Option<string?> Checkpoint { get; } = CliOptions.Text(
        "--checkpoint", "Model weights in the reference .npz layout (its own configuration wins); the embedded silo loads them from the file's folder.", "FILE.npz");

    /// <summary>
    /// The model reference and the folder the silo must load weights from (null for a preset); <paramref name="defaultPreset"/>
    /// when neither option is given, or an error naming the fix when it is null.
    /// </summary>
    public (string Model, string? WeightsDirectory) Resolve(ParseResult parse, string? defaultPreset)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var preset = parse.GetValue(Preset);
        var checkpoint = parse.GetValue(Checkpoint);
        if (preset is not null && checkpoint is not null)
        {
            throw new UsageException("Give --preset NAME or --checkpoint FILE.npz, not both.");
        }

        if (checkpoint is null)
        {
            return (preset ?? defaultPreset ?? throw new UsageException(
                $"Give exactly one of --preset NAME (e.g. --preset graphcast-small; presets: {string.Join(", ", Presets.All.Select(p => p.Name))}) or --checkpoint FILE.npz."), null);
        }

        var full = Path.GetFullPath(checkpoint);
        if (!File.Exists(full))
        {
            throw new UsageException($"--checkpoint {checkpoint}: no such file (the file does not exist).");
        }

        return ("checkpoint:" + Path.GetFileName(full), Path.GetDirectoryName(full));
    }
}
