using GraphCast.Model.Configuration;

namespace GraphCast.Model.Data;

/// <summary>Where one variable sits in a stacked channel axis: <c>Frames × Levels</c> channels from <c>Offset</c>, time outer, level inner.</summary>
public sealed record ChannelBlock(string Variable, int Frames, int Levels, int Offset)
{
    public int Count => Frames * Levels;

    /// <summary>Channel of (frame, level index) within the whole stacked axis.</summary>
    public int ChannelOf(int frame, int level) => Offset + (frame * Levels) + level;
}

/// <summary>
/// The reference's stacking of variables into channels (<c>model_utils.dataset_to_stacked</c>): variables in sorted
/// (ordinal) name order; within a variable, time outer and level inner.
/// </summary>
public sealed class ChannelLayout
{
    private readonly Dictionary<string, ChannelBlock> _byName;

    private ChannelLayout(IReadOnlyList<ChannelBlock> blocks)
    {
        Blocks = blocks;
        Count = blocks.Sum(b => b.Count);
        _byName = blocks.ToDictionary(b => b.Variable, StringComparer.Ordinal);
    }

    public IReadOnlyList<ChannelBlock> Blocks { get; }

    /// <summary>Total channels.</summary>
    public int Count { get; }

    public IEnumerable<string> Variables => Blocks.Select(b => b.Variable);

    public ChannelBlock this[string variable] => _byName.TryGetValue(variable, out var b) ? b
        : throw new KeyNotFoundException($"Variable '{variable}' is not in this layout ({string.Join(", ", Variables)}).");

    public bool Contains(string variable) => _byName.ContainsKey(variable);

    /// <summary>Stacks <paramref name="variables"/> (sorted by name) with <paramref name="framesOf"/> frames each.</summary>
    public static ChannelLayout Of(IEnumerable<string> variables, TaskConfig task, Func<string, int> framesOf)
    {
        var blocks = new List<ChannelBlock>();
        var offset = 0;
        foreach (var v in variables.Distinct().Order(StringComparer.Ordinal))
        {
            var block = new ChannelBlock(v, framesOf(v), task.LevelsOf(v), offset);
            blocks.Add(block);
            offset += block.Count;
        }

        return new ChannelLayout(blocks);
    }

    /// <summary>One frame of <paramref name="variables"/>.</summary>
    public static ChannelLayout Frame(IEnumerable<string> variables, TaskConfig task) => Of(variables, task, _ => 1);

    /// <summary>The stacked names, e.g. <c>temperature@t0:500hPa</c>, for describing and debugging.</summary>
    public IEnumerable<string> ChannelNames(TaskConfig task)
    {
        foreach (var b in Blocks)
        {
            for (var f = 0; f < b.Frames; f++)
            {
                for (var l = 0; l < b.Levels; l++)
                {
                    var time = b.Frames > 1 ? $"@t{f - b.Frames + 1}" : "";
                    yield return TaskConfig.HasLevels(b.Variable) ? $"{b.Variable}{time}:{task.PressureLevels[l]}hPa" : $"{b.Variable}{time}";
                }
            }
        }
    }
}

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
