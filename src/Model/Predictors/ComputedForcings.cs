using GraphCast.Model.Fields;
using GraphCast.Model.Forcings;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>
/// Forcings computed for any grid and time (TOA incident solar radiation with the ERA5-compatible algorithm, year and
/// day progress features): the rollout's source of the target time's forcings when no dataset provides them.
/// </summary>
public sealed class ComputedForcings : IForcingSource
{
    private readonly ForcingsBuilder _builder;
    private readonly ChannelLayout _layout;
    private readonly float[] _latitudes;
    private readonly float[] _longitudes;
    private readonly double[] _lat64;
    private readonly double[] _lon64;
    private readonly Device _device;

    public ComputedForcings(TaskLayout layout, float[] latitudes, float[] longitudes, Device? device = null, ForcingsBuilder? builder = null)
    {
        _layout = layout.Forcings;
        _latitudes = latitudes;
        _longitudes = longitudes;
        _lat64 = latitudes.Select(v => (double)v).ToArray();
        _lon64 = longitudes.Select(v => (double)v).ToArray();
        _device = device ?? CPU;
        _builder = builder ?? new ForcingsBuilder();
    }

    /// <summary>The forcing fields at <paramref name="validTimeUtc"/>, as named grid fields.</summary>
    public GridFields Fields(DateTime validTimeUtc) =>
        new GridFields(_latitudes, _longitudes).AddForcings(_builder.Build([validTimeUtc], _lat64, _lon64), 0);

    /// <summary><c>[num_grid_nodes, 1, forcing_channels]</c>.</summary>
    public Tensor At(DateTime validTimeUtc)
    {
        var frame = Fields(validTimeUtc).ToFrame(_layout);
        return torch.tensor(frame, [_latitudes.Length * _longitudes.Length, 1, _layout.Count]).to(_device);
    }
}
