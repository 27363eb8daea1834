namespace GraphCast.Model.InitialConditions;

/// <summary>
/// Reduction of surface pressure to mean sea level with the barometric formula of a standard-lapse-rate column.
/// </summary>
/// <remarks>
/// Between the surface (height z_s = Φs/g) and sea level the column is taken to warm downward at the ICAO standard lapse
/// rate Γ = 0.0065 K/m from the surface virtual temperature T_s: T(z) = T_s + Γ (z_s − z). Integrating the hydrostatic
/// equation dp/dz = −g p / (Rd T) gives p_msl = p_s · (1 + Γ z_s / T_s)^{g/(Rd Γ)}. Where Φs = 0 the base is exactly 1 and
/// p_msl = p_s exactly; where the surface lies below sea level (Φs &lt; 0) the same column is extended upward, p_msl &lt; p_s.
/// </remarks>
public static class SeaLevelPressure
{
    /// <summary>The ICAO standard-atmosphere lapse rate (K/m) of the fictitious column under the surface.</summary>
    public const double StandardLapseRate = 0.0065;

    /// <summary>
    /// Mean-sea-level pressure (the unit of <paramref name="surfacePressure"/>) of a surface at geopotential
    /// <paramref name="surfaceGeopotential"/> (m²/s²) with surface virtual temperature <paramref name="surfaceVirtualTemperature"/> (K).
    /// </summary>
    public static double Reduce(double surfacePressure, double surfaceGeopotential, double surfaceVirtualTemperature)
    {
        const double g = BaroclinicWave.Gravity;
        var surfaceHeight = surfaceGeopotential / g;
        var exponent = g / (BaroclinicWave.Rd * StandardLapseRate);
        return surfacePressure * Math.Pow(1.0 + (StandardLapseRate * surfaceHeight / surfaceVirtualTemperature), exponent);
    }
}
