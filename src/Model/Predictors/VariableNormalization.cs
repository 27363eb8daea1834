using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Predictors;

/// <summary>Mean, standard deviation and standard deviation of 6-hour differences of one variable, per level (one value for surface fields).</summary>
public sealed record VariableNormalization(float[] Mean, float[] Stddev, float[] DiffsStddev)
{
    public int Levels => Mean.Length;
}
