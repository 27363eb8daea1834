using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// The normalisation statistics of the reference (<c>mean_by_level</c>, <c>stddev_by_level</c>,
/// <c>diffs_stddev_by_level</c>): per variable and, where the variable has levels, per pressure level of the task.
/// </summary>
public sealed class NormalizationStats
{
    private readonly IReadOnlyDictionary<string, VariableNormalization> _variables;

    public NormalizationStats(IReadOnlyDictionary<string, VariableNormalization> variables, string source)
    {
        foreach (var (name, s) in variables)
        {
            if (s.Stddev.Length != s.Mean.Length || s.DiffsStddev.Length != s.Mean.Length)
            {
                throw new ArgumentException($"Statistics of '{name}' in {source} have {s.Mean.Length} means, {s.Stddev.Length} stddevs and {s.DiffsStddev.Length} diffs stddevs; they must agree.");
            }

            var bad = s.Stddev.Concat(s.DiffsStddev).FirstOrDefault(v => !(v > 0) || !float.IsFinite(v), 1f);
            if (bad != 1f || s.Mean.Any(v => !float.IsFinite(v)))
            {
                throw new ArgumentException($"Statistics of '{name}' in {source} hold a non-finite mean or a stddev that is not positive; they cannot normalise.");
            }
        }

        _variables = variables;
        Source = source;
    }

    /// <summary>Where the statistics came from (a path or a description).</summary>
    public string Source { get; }

    public IEnumerable<string> Variables => _variables.Keys;

    public VariableNormalization this[string variable] => _variables.TryGetValue(variable, out var s) ? s
        : throw new KeyNotFoundException($"The normalisation statistics ({Source}) have no '{variable}'. Provide statistics that cover every input, forcing and target variable of the task.");

    /// <summary>Mean 0 and standard deviations 1 for every variable of <paramref name="task"/>: normalisation is the identity.</summary>
    public static NormalizationStats Identity(TaskConfig task)
    {
        var all = task.InputVariables.Concat(task.TargetVariables).Concat(task.ForcingVariables).Distinct();
        return new NormalizationStats(
            all.ToDictionary(v => v, v =>
            {
                var n = task.LevelsOf(v);
                return new VariableNormalization(new float[n], Enumerable.Repeat(1f, n).ToArray(), Enumerable.Repeat(1f, n).ToArray());
            }),
            "identity (mean 0, stddev 1)");
    }

    /// <summary>Checks every variable of <paramref name="task"/> is present with the task's level count.</summary>
    public void Validate(TaskConfig task)
    {
        var missing = new List<string>();
        foreach (var v in task.InputVariables.Concat(task.TargetVariables).Concat(task.ForcingVariables).Distinct())
        {
            if (!_variables.TryGetValue(v, out var s))
            {
                missing.Add(v);
            }
            else if (s.Levels != task.LevelsOf(v))
            {
                throw new ArgumentException($"Statistics of '{v}' in {Source} have {s.Levels} levels; the task needs {task.LevelsOf(v)}.");
            }
        }

        if (missing.Count > 0)
        {
            throw new ArgumentException($"The normalisation statistics ({Source}) lack {string.Join(", ", missing)}.");
        }
    }

    /// <summary>Per-channel vectors <c>[channels]</c> (float32) of one frame layout: select mean, stddev or diffs stddev.</summary>
    public Tensor Vector(ChannelLayout layout, Func<VariableNormalization, float[]> select, Device device)
    {
        var values = new float[layout.Count];
        foreach (var block in layout.Blocks)
        {
            var v = select(this[block.Variable]);
            for (var f = 0; f < block.Frames; f++)
            {
                Array.Copy(v, 0, values, block.ChannelOf(f, 0), block.Levels);
            }
        }

        return torch.tensor(values).to(device);
    }
}
