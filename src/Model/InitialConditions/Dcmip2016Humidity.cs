namespace GraphCast.Model.InitialConditions;

/// <summary>
/// The moisture of the DCMIP-2016 moist baroclinic wave (Ullrich et al., DCMIP-2016 test case document, test 1), put on
/// the Jablonowski–Williamson state: specific humidity q(η, φ) and the virtual-temperature convention.
/// </summary>
/// <remarks>
/// <para>
/// JW2006 is dry; GraphCast needs specific humidity. DCMIP-2016 moistens the same kind of balanced baroclinic state with
/// an analytic humidity field, keeps the dry state as the <em>virtual</em> temperature Tv (so Φ stays hydrostatic, now
/// with Tv: ∂Φ/∂ln p = −Rd Tv) and recovers the temperature as T = Tv / (1 + Mv q), Mv = Rv/Rd − 1 = 0.608:
/// </para>
/// <code>
/// q(η, φ) = q0 · exp(−(φ/φw)^4) · exp(−((η − 1) p0 / pw)²)   for η &gt; ηq
///         = qt                                                for η ≤ ηq
/// q0 = 0.018 kg/kg, φw = 2π/9 (40°), pw = 340 hPa, p0 = 1000 hPa, ηq = 0.1 (100 hPa), qt = 1e-12 kg/kg
/// </code>
/// <para>
/// q is largest (0.018) at the equator at the surface, falls off poleward (≈ 0.0066 at 40°, ≈ 1e-13 at the poles) and
/// upward (e-folding at 340 hPa above the surface). Against saturation over liquid water (Bolton 1980, see
/// <see cref="WaterVapour"/>) this gives a relative humidity of at most ≈ 0.77 on the 37 ERA5 levels (near 900 hPa,
/// 42°), so the state is nowhere supersaturated and needs no capping.
/// </para>
/// </remarks>
public static class Dcmip2016Humidity
{
    /// <summary>Maximum specific humidity q0 (kg/kg), at the equator at the surface.</summary>
    public const double MaximumSpecificHumidity = 0.018;

    /// <summary>Latitudinal width φw (radians, 40°).</summary>
    public const double LatitudinalWidth = 2.0 * Math.PI / 9.0;

    /// <summary>Vertical pressure width pw (hPa).</summary>
    public const double PressureWidthHpa = 340.0;

    /// <summary>ηq: at and above this η (100 hPa) the air is dry but for <see cref="StratosphericSpecificHumidity"/>.</summary>
    public const double EtaCutoff = 0.1;

    /// <summary>Specific humidity qt above the cut-off (kg/kg).</summary>
    public const double StratosphericSpecificHumidity = 1e-12;

    /// <summary>Mv = Rv/Rd − 1, the virtual-temperature coefficient: Tv = T (1 + Mv q).</summary>
    public const double VirtualTemperatureCoefficient = 0.608;

    /// <summary>Specific humidity q(η, φ) (kg/kg).</summary>
    public static double SpecificHumidity(double eta, double latitude)
    {
        if (eta <= EtaCutoff)
        {
            return StratosphericSpecificHumidity;
        }

        // (φ/φw)^4 from the square keeps q(−φ) bitwise equal to q(φ).
        var lat2 = latitude / LatitudinalWidth * (latitude / LatitudinalWidth);
        var vertical = (eta - 1.0) * BaroclinicWave.SurfacePressureHpa / PressureWidthHpa;
        return MaximumSpecificHumidity * Math.Exp(-(lat2 * lat2)) * Math.Exp(-(vertical * vertical));
    }

    /// <summary>Temperature T (K) of air with virtual temperature <paramref name="virtualTemperature"/> and humidity q.</summary>
    public static double TemperatureFromVirtual(double virtualTemperature, double specificHumidity) =>
        virtualTemperature / (1.0 + (VirtualTemperatureCoefficient * specificHumidity));
}
