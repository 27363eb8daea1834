using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// The autoregressive carry of a rollout: the last input frames (oldest first, physical units, <c>[num_grid_nodes, batch,
/// dynamic_channels]</c>), the static fields, and the valid time of the newest frame. It owns its tensors.
/// </summary>
public sealed class RolloutCarry : IDisposable
{
    public RolloutCarry(IReadOnlyList<Tensor> frames, Tensor staticFields, DateTime time, int step = 0)
    {
        if (frames.Count == 0)
        {
            throw new ArgumentException("A rollout carry needs at least one input frame.", nameof(frames));
        }

        Frames = frames;
        Static = staticFields;
        Time = time;
        Step = step;
        foreach (var t in frames.Append(staticFields))
        {
            t.DetachFromDisposeScope();
        }
    }

    public IReadOnlyList<Tensor> Frames { get; }

    public Tensor Static { get; }

    /// <summary>Valid time (UTC) of the newest frame.</summary>
    public DateTime Time { get; }

    /// <summary>Steps taken from the initial condition to reach this carry.</summary>
    public int Step { get; }

    public long Batch => Frames[^1].shape[1];

    /// <summary>A copy with its own tensor handles (sharing storage: tensors are never modified in place).</summary>
    public RolloutCarry Share() => new(Frames.Select(f => f.alias()).ToArray(), Static.alias(), Time, Step);

    public void Dispose()
    {
        foreach (var t in Frames)
        {
            t.Dispose();
        }

        Static.Dispose();
    }
}
