namespace GraphCast.Model.InitialConditions;

/// <summary>
/// Saturation and relative humidity of water vapour: Bolton (1980, "The computation of equivalent potential temperature",
/// MWR 108, eq. 10) saturation vapour pressure over liquid water, and the exact vapour-pressure ↔ specific-humidity relation.
/// </summary>
/// <remarks>
/// e_s(T) = 611.2 Pa · exp(17.67 (T − 273.15) / (T − 29.65)); Bolton fits it to 0.1 % between −35 °C and 35 °C; colder
/// it extrapolates (saturation over water, not ice, is the convention of a humidity check, and the larger of the two).
/// q = ε e / (p − (1 − ε) e) with ε = Rd/Rv = 0.622, so e = q p / (ε + (1 − ε) q).
/// </remarks>
public static class WaterVapour
{
    /// <summary>ε = Rd/Rv, the ratio of the gas constants of dry air and water vapour.</summary>
    public const double Epsilon = 0.622;

    /// <summary>Saturation vapour pressure over liquid water e_s(T) (Pa) for temperature T (K), after Bolton (1980).</summary>
    public static double SaturationVapourPressure(double temperature) =>
        611.2 * Math.Exp(17.67 * (temperature - 273.15) / (temperature - 29.65));

    /// <summary>Vapour pressure e (Pa) of air at pressure p (Pa) with specific humidity q (kg/kg).</summary>
    public static double VapourPressure(double specificHumidity, double pressure) =>
        specificHumidity * pressure / (Epsilon + ((1.0 - Epsilon) * specificHumidity));

    /// <summary>Relative humidity e / e_s (over liquid water) of air with specific humidity q at temperature T (K), pressure p (Pa).</summary>
    public static double RelativeHumidity(double specificHumidity, double temperature, double pressure) =>
        VapourPressure(specificHumidity, pressure) / SaturationVapourPressure(temperature);
}
