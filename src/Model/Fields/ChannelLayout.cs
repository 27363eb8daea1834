using GraphCast.Model.Configuration;

namespace GraphCast.Model.Fields;

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
