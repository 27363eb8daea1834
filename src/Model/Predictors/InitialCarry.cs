using GraphCast.Model.Fields;
using GraphCast.Model.Forcings;
using GraphCast.Model.InitialConditions;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// Builds the first <see cref="RolloutCarry"/> from grid fields: the input frames (oldest first) and the static fields,
/// with any forcing the data lacks computed for the frame's time (a dataset's own TISR is kept).
/// </summary>
public static class InitialCarry
{
    /// <summary>
    /// A carry from one <see cref="GridFields"/> per input frame (oldest first; the last one is valid at
    /// <paramref name="initTime"/>) and the static fields (read from the last frame's fields).
    /// </summary>
    public static RolloutCarry FromFields(TaskLayout layout, IReadOnlyList<GridFields> frames, DateTime initTime, long batch = 1, Device? device = null, ForcingsBuilder? forcings = null)
    {
        var task = layout.Task;
        if (frames.Count != task.InputFrames)
        {
            throw new ArgumentException($"The model needs {task.InputFrames} input frames ending at the init time; {frames.Count} were given.");
        }

        var builder = forcings ?? new ForcingsBuilder();
        var grid = frames[^1];
        var lat = grid.Latitudes.Select(v => (double)v).ToArray();
        var lon = grid.Longitudes.Select(v => (double)v).ToArray();
        var times = Enumerable.Range(0, frames.Count).Select(i => initTime - (task.TimeStep * (frames.Count - 1 - i))).ToArray();
        var computed = builder.Build(times, lat, lon);
        var n = grid.Nodes;
        device ??= CPU;
        using var scope = torch.NewDisposeScope();
        var tensors = new Tensor[frames.Count];
        for (var i = 0; i < frames.Count; i++)
        {
            var values = frames[i].AddForcings(computed, i).ToFrame(layout.Dynamic);
            tensors[i] = torch.tensor(values, [n, 1, layout.Dynamic.Count]).to(device).expand(n, batch, -1).contiguous();
        }

        var statics = torch.tensor(grid.ToFrame(layout.Static), [n, 1, layout.Static.Count]).to(device);
        var carry = new RolloutCarry(tensors, statics, initTime);
        return carry;
    }

    /// <summary>
    /// The Jablonowski–Williamson (2006) baroclinic-wave state (steady: every input frame holds the same fields; forcings
    /// differ per frame time) on the given grid, for every input of the task.
    /// </summary>
    public static RolloutCarry Analytic(TaskLayout layout, float[] latitudes, float[] longitudes, DateTime initTime, bool perturbation = true, long batch = 1, Device? device = null)
    {
        var fields = AnalyticState.JablonowskiWilliamson(layout.Task, latitudes, longitudes, perturbation);
        var frames = Enumerable.Range(0, layout.Task.InputFrames).Select(_ =>
        {
            var g = new GridFields(latitudes, longitudes);
            foreach (var (name, field) in fields)
            {
                g.Set(name, field.Data);
            }

            return g;
        }).ToArray();
        return FromFields(layout, frames, initTime, batch, device);
    }
}
