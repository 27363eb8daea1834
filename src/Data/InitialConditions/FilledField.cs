using System.Globalization;

namespace GraphCast.Data.InitialConditions;

/// <summary>A model input the dataset lacked and how it was filled: <c>How</c> is <c>interpolated</c> or <c>analytic</c>.</summary>
/// <param name="LevelsHpa">The filled levels; empty for a surface or static field.</param>
public sealed record FilledField(string Variable, IReadOnlyList<int> LevelsHpa, string How)
{
    public override string ToString() => LevelsHpa.Count == 0 ? $"{Variable}: {How}" : $"{Variable} at {string.Join(", ", LevelsHpa)} hPa: {How}";
}
