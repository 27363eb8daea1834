using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// What one GraphCast step reads, in physical units, grid-major: the input frames of the time-dependent inputs (oldest
/// first, each <c>[num_grid_nodes, batch, dynamic_channels]</c>), the static fields <c>[num_grid_nodes, batch|1,
/// static_channels]</c> and the forcings at the target time <c>[num_grid_nodes, batch|1, forcing_channels]</c>.
/// </summary>
public sealed record StepInputs(IReadOnlyList<Tensor> Frames, Tensor Static, Tensor Forcings) : ITensorContainer
{
    public long Batch => Frames[^1].shape[1];

    public IEnumerable<Tensor> Tensors => [.. Frames, Static, Forcings];
}

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

/// <summary>One step of a rollout: its number (1 = first prediction), valid time, and predicted targets <c>[num_grid_nodes, batch, target_channels]</c>.</summary>
public sealed record RolloutStep(int Step, DateTime ValidTime, Tensor Predictions);

/// <summary>Forcings (TOA solar radiation, progress features) at a valid time, in physical units: <c>[num_grid_nodes, 1, forcing_channels]</c>.</summary>
public interface IForcingSource
{
    Tensor At(DateTime validTimeUtc);
}
