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

    /// <summary>
    /// Saturation vapour pressure (Pa) at temperature T (K) as ECMWF's IFS defines it for relative humidity (IFS
    /// documentation CY47R3, Part IV, §12.2.1 and eq. 7.5): Tetens' formula e_s = 611.21 Pa · exp(a3 (T − 273.16) / (T − a4))
    /// over water (a3 = 17.502, a4 = 32.19 K) above 0 °C, over ice (a3 = 22.587, a4 = −0.7 K) below −23 °C, and in between
    /// the mix α e_s,water + (1 − α) e_s,ice with α = ((T − 250.16) / 23)².
    /// </summary>
    public static double SaturationVapourPressureIfs(double temperature)
    {
        const double T0 = 273.16;
        const double TIce = 250.16;
        double Tetens(double a3, double a4) => 611.21 * Math.Exp(a3 * (temperature - T0) / (temperature - a4));
        if (temperature >= T0)
        {
            return Tetens(17.502, 32.19);
        }

        if (temperature <= TIce)
        {
            return Tetens(22.587, -0.7);
        }

        var alpha = Math.Pow((temperature - TIce) / (T0 - TIce), 2);
        return (alpha * Tetens(17.502, 32.19)) + ((1.0 - alpha) * Tetens(22.587, -0.7));
    }

    /// <summary>
    /// Specific humidity (kg/kg) of air at temperature T (K) and pressure p (Pa) with relative humidity <paramref name="relativeHumidity"/>
    /// (a fraction, 1 = saturated) as ECMWF defines it: e = RH · e_s,IFS(T) and q = ε e / (p − (1 − ε) e), ε = R_d/R_v =
    /// 287.0597 / 461.5250 (the IFS gas constants); the inverse of the IFS diagnostic RH = p q (R_v/R_d) / ((1 + (R_v/R_d − 1) q) e_s).
    /// </summary>
    public static double SpecificHumidityFromRelative(double relativeHumidity, double temperature, double pressure)
    {
        const double EpsilonIfs = 287.0597 / 461.5250;
        var e = relativeHumidity * SaturationVapourPressureIfs(temperature);
        return EpsilonIfs * e / (pressure - ((1.0 - EpsilonIfs) * e));
    }
}
