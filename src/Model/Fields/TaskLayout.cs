using GraphCast.Model.Configuration;

namespace GraphCast.Model.Fields;

/// <summary>
/// The channel layouts one task implies: the model's stacked input (inputs with their frames, then the forcings of the
/// target time) and output (targets), and the per-frame layouts the rollout carries.
/// </summary>
public sealed class TaskLayout
{
    public TaskLayout(TaskConfig task)
    {
        task.Validate();
        Task = task;
        var frames = task.InputFrames;
        var statics = task.StaticVariables.ToHashSet(StringComparer.Ordinal);
        Static = ChannelLayout.Frame(statics, task);
        Dynamic = ChannelLayout.Frame(task.InputVariables.Where(v => !statics.Contains(v)), task);
        Forcings = ChannelLayout.Frame(task.ForcingVariables, task);
        Targets = ChannelLayout.Frame(task.TargetVariables, task);
        Inputs = ChannelLayout.Of(task.InputVariables, task, v => statics.Contains(v) ? 1 : frames);
    }

    public TaskConfig Task { get; }

    /// <summary>Inputs as the model stacks them: each input variable over the input frames (static ones once).</summary>
    public ChannelLayout Inputs { get; }

    /// <summary>Constant inputs (orography, land-sea mask), one frame.</summary>
    public ChannelLayout Static { get; }

    /// <summary>Time-dependent inputs (targets and forcings that are inputs), one frame: the rollout's carried state.</summary>
    public ChannelLayout Dynamic { get; }

    /// <summary>Forcings at one time.</summary>
    public ChannelLayout Forcings { get; }

    /// <summary>Targets in output order: sorted target names, levels inner.</summary>
    public ChannelLayout Targets { get; }

    /// <summary>Data channels of a grid node's input: stacked inputs then the target time's forcings (471 for the 0.25° model).</summary>
    public int InputChannels => Inputs.Count + Forcings.Count;

    /// <summary>Channels the model predicts per grid node (227 for 37 levels, 83 for 13).</summary>
    public int OutputChannels => Targets.Count;

    /// <summary>Structural node features appended by the model: [sin lat, cos lon, sin lon].</summary>
    public const int StructuralNodeFeatures = 3;
}
