namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>One variable of a forecast store read whole: its dims, shape and values in C order (missing chunks as NaN).</summary>
/// <param name="Name">The variable.</param>
/// <param name="Dimensions">Dimension names, outermost first.</param>
/// <param name="Shape">Size of each dimension.</param>
/// <param name="Values">All values, C order (last dimension fastest).</param>
public sealed record ForecastArray(string Name, IReadOnlyList<string> Dimensions, IReadOnlyList<long> Shape, float[] Values);
