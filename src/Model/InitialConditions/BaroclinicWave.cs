namespace GraphCast.Model.InitialConditions;

/// <summary>
/// The Jablonowski &amp; Williamson (2006) baroclinic-wave test state, point by point: "A baroclinic instability test case
/// for atmospheric model dynamical cores", QJRMS 132, 2943–2975, §2 (steady state) and §3 (perturbation).
/// </summary>
/// <remarks>
/// <para>
/// The vertical coordinate is η = p / p_s with a uniform surface pressure p_s = 1000 hPa, so on a pressure level
/// η = p / 1000 hPa, and η_v = (η − η0)·π/2. With φ latitude and λ longitude (radians), the paper's balanced zonal flow is
/// </para>
/// <code>
/// u(η, φ)  = u0 · cos^{3/2}(η_v) · sin²(2φ),    v = 0
/// T̄(η)     = T0 · η^{RdΓ/g}                       for η ≥ ηt
///          = T0 · η^{RdΓ/g} + ΔT · (ηt − η)^5      for η &lt; ηt
/// T(η, φ)  = T̄(η) + ¾ · (η π u0 / Rd) · sin(η_v) · cos^{1/2}(η_v)
///                 · { 2 u0 cos^{3/2}(η_v) · A(φ) + a Ω · B(φ) }
/// Φ̄(η)     = (T0 g / Γ) · (1 − η^{RdΓ/g})         for η ≥ ηt
///          = (T0 g / Γ) · (1 − η^{RdΓ/g}) − Rd ΔT · { (ln(η/ηt) + 137/60) ηt^5 − 5 ηt^4 η + 5 ηt³ η²
///                                                   − (10/3) ηt² η³ + (5/4) ηt η^4 − (1/5) η^5 }   for η &lt; ηt
/// Φ(η, φ)  = Φ̄(η) + u0 cos^{3/2}(η_v) · { u0 cos^{3/2}(η_v) · A(φ) + a Ω · B(φ) }
/// Φs(φ)    = Φ(ηs = 1, φ)   (Φ̄(1) = 0: the surface geopotential that balances the surface wind)
/// A(φ)     = −2 sin^6 φ (cos² φ + 1/3) + 10/63
/// B(φ)     = (8/5) cos³ φ (sin² φ + 2/3) − π/4
/// </code>
/// <para>
/// T is the temperature of the dry paper (it is also the virtual temperature of the moist variant: see
/// <see cref="Dcmip2016Humidity"/>); Φ is exactly hydrostatic with it, ∂Φ/∂ln η = −Rd T. The perturbation of §3 is a
/// Gaussian bump of zonal wind only, the same at every level and not balanced (T and Φ do not change):
/// u'(λ, φ) = up · exp(−(r/R)²), r = a · arccos(sin φc sin φ + cos φc cos φ cos(λ − λc)), R = a/10,
/// centred at λc = π/9 (20°E), φc = 2π/9 (40°N), up = 1 m/s.
/// </para>
/// <para>
/// Functions of φ use only sin² φ and cos φ, so values at ±φ are bitwise equal.
/// </para>
/// </remarks>
public static class BaroclinicWave
{
    /// <summary>Maximum zonal wind amplitude u0 (m/s).</summary>
    public const double U0 = 35.0;

    /// <summary>η0, the level of the jet maximum's vertical structure.</summary>
    public const double Eta0 = 0.252;

    /// <summary>ηs, the surface.</summary>
    public const double EtaSurface = 1.0;

    /// <summary>ηt, the tropopause: above it (η &lt; ηt) the mean temperature rises with height.</summary>
    public const double EtaTropopause = 0.2;

    /// <summary>Horizontal-mean surface temperature T0 (K).</summary>
    public const double T0 = 288.0;

    /// <summary>Tropospheric lapse rate Γ (K/m).</summary>
    public const double LapseRate = 0.005;

    /// <summary>Stratospheric temperature-increase coefficient ΔT (K).</summary>
    public const double DeltaT = 4.8e5;

    /// <summary>Earth radius a (m).</summary>
    public const double EarthRadius = 6.371229e6;

    /// <summary>Earth's angular velocity Ω (1/s).</summary>
    public const double Omega = 7.29212e-5;

    /// <summary>Gravity g (m/s²).</summary>
    public const double Gravity = 9.80616;

    /// <summary>Gas constant of dry air Rd (J/(kg K)).</summary>
    public const double Rd = 287.0;

    /// <summary>The uniform surface pressure p_s (hPa): η = p / p_s on a pressure level.</summary>
    public const double SurfacePressureHpa = 1000.0;

    /// <summary>Amplitude up of the zonal-wind perturbation (m/s).</summary>
    public const double PerturbationAmplitude = 1.0;

    /// <summary>Longitude λc of the perturbation centre (radians, 20°E).</summary>
    public const double PerturbationLongitude = Math.PI / 9.0;

    /// <summary>Latitude φc of the perturbation centre (radians, 40°N).</summary>
    public const double PerturbationLatitude = 2.0 * Math.PI / 9.0;

    /// <summary>R / a: the perturbation radius R = a/10 as a fraction of the Earth radius.</summary>
    public const double PerturbationRadiusFraction = 0.1;

    /// <summary>The exponent RdΓ/g of the mean temperature profile.</summary>
    private const double Exponent = Rd * LapseRate / Gravity;

    /// <summary>η of the pressure level <paramref name="pressureHpa"/> under the uniform 1000 hPa surface pressure.</summary>
    public static double EtaOfPressure(double pressureHpa) => pressureHpa / SurfacePressureHpa;

    /// <summary>The balanced zonal wind u(η, φ) (m/s), without the perturbation.</summary>
    public static double ZonalWind(double eta, double latitude)
    {
        var s = Math.Sin(latitude);
        var c = Math.Cos(latitude);

        // sin²(2φ) written as 4 sin²φ cos²φ keeps u(−φ) bitwise equal to u(φ).
        return U0 * CosEtaV32(eta) * 4.0 * s * s * c * c;
    }

    /// <summary>The horizontal-mean temperature T̄(η) (K).</summary>
    public static double MeanTemperature(double eta)
    {
        var t = T0 * Math.Pow(eta, Exponent);
        if (eta < EtaTropopause)
        {
            var d = EtaTropopause - eta;
            t += DeltaT * d * d * d * d * d;
        }

        return t;
    }

    /// <summary>The temperature T(η, φ) of the balanced state (K).</summary>
    public static double Temperature(double eta, double latitude)
    {
        var etaV = EtaV(eta);
        var cosEtaV = Math.Cos(etaV);
        var cos32 = cosEtaV * Math.Sqrt(cosEtaV);
        var prefactor = 0.75 * eta * Math.PI * U0 / Rd * Math.Sin(etaV) * Math.Sqrt(cosEtaV);
        return MeanTemperature(eta) +
            (prefactor * ((2.0 * U0 * cos32 * A(latitude)) + (EarthRadius * Omega * B(latitude))));
    }

    /// <summary>The horizontal-mean geopotential Φ̄(η) (m²/s²); Φ̄(1) = 0.</summary>
    public static double MeanGeopotential(double eta)
    {
        var phi = T0 * Gravity / LapseRate * (1.0 - Math.Pow(eta, Exponent));
        if (eta < EtaTropopause)
        {
            const double et = EtaTropopause;
            var et2 = et * et;
            var et3 = et2 * et;
            var et4 = et3 * et;
            var et5 = et4 * et;
            var e2 = eta * eta;
            var e3 = e2 * eta;
            var e4 = e3 * eta;
            var e5 = e4 * eta;
            phi -= Rd * DeltaT * (
                ((Math.Log(eta / et) + (137.0 / 60.0)) * et5)
                - (5.0 * et4 * eta)
                + (5.0 * et3 * e2)
                - (10.0 / 3.0 * et2 * e3)
                + (5.0 / 4.0 * et * e4)
                - (e5 / 5.0));
        }

        return phi;
    }

    /// <summary>The geopotential Φ(η, φ) of the balanced state (m²/s²).</summary>
    public static double Geopotential(double eta, double latitude) =>
        MeanGeopotential(eta) + GeopotentialDeviation(eta, latitude);

    /// <summary>
    /// The surface geopotential Φs(φ) (m²/s²) that balances the non-zero surface wind: Φ(ηs, φ), with Φ̄(ηs) = 0.
    /// Positive (≈ 1106 m²/s², 113 m) at the equator, negative (≈ −3094 m²/s², −315 m) at the poles.
    /// </summary>
    public static double SurfaceGeopotential(double latitude) => GeopotentialDeviation(EtaSurface, latitude);

    /// <summary>
    /// The zonal-wind perturbation u'(λ, φ) (m/s) of §3 of the paper: 1 m/s at 20°E 40°N, falling off as a Gaussian of
    /// great-circle distance with radius a/10 (≈ 637 km); independent of η.
    /// </summary>
    public static double ZonalWindPerturbation(double longitude, double latitude)
    {
        var cosAngle = (Math.Sin(PerturbationLatitude) * Math.Sin(latitude)) +
            (Math.Cos(PerturbationLatitude) * Math.Cos(latitude) * Math.Cos(longitude - PerturbationLongitude));

        // Rounding can push the cosine of a zero angle just above 1, where arccos is NaN.
        var rOverR = Math.Acos(Math.Clamp(cosAngle, -1.0, 1.0)) / PerturbationRadiusFraction;
        return PerturbationAmplitude * Math.Exp(-(rOverR * rOverR));
    }

    /// <summary>η_v = (η − η0)·π/2.</summary>
    private static double EtaV(double eta) => (eta - Eta0) * Math.PI / 2.0;

    /// <summary>cos^{3/2}(η_v); η ≤ 1 keeps η_v &lt; π/2 and the cosine positive.</summary>
    private static double CosEtaV32(double eta)
    {
        var c = Math.Cos(EtaV(eta));
        return c * Math.Sqrt(c);
    }

    /// <summary>Φ(η, φ) − Φ̄(η): the balanced part that depends on latitude.</summary>
    private static double GeopotentialDeviation(double eta, double latitude)
    {
        var cos32 = CosEtaV32(eta);
        return U0 * cos32 * ((U0 * cos32 * A(latitude)) + (EarthRadius * Omega * B(latitude)));
    }

    /// <summary>A(φ) = −2 sin^6 φ (cos² φ + 1/3) + 10/63.</summary>
    private static double A(double latitude)
    {
        var s = Math.Sin(latitude);
        var s2 = s * s;
        var c = Math.Cos(latitude);
        return (-2.0 * s2 * s2 * s2 * ((c * c) + (1.0 / 3.0))) + (10.0 / 63.0);
    }

    /// <summary>B(φ) = (8/5) cos³ φ (sin² φ + 2/3) − π/4.</summary>
    private static double B(double latitude)
    {
        var s = Math.Sin(latitude);
        var c = Math.Cos(latitude);
        return (8.0 / 5.0 * c * c * c * ((s * s) + (2.0 / 3.0))) - (Math.PI / 4.0);
    }
}
