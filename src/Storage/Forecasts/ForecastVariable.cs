namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>One output variable of a forecast store: a Zarr array with dims (member, lead_time, [level,] lat, lon).</summary>
/// <param name="Name">The array name (a GraphCast variable name such as <c>2m_temperature</c>); one path segment.</param>
/// <param name="HasLevels">True for an atmospheric variable (one value per pressure level), false for a surface one.</param>
/// <param name="Units">CF units (<c>K</c>, <c>m s-1</c>); written as the <c>units</c> attribute.</param>
/// <param name="LongName">A readable name, written as <c>long_name</c>.</param>
public sealed record ForecastVariable(string Name, bool HasLevels, string Units, string LongName);
