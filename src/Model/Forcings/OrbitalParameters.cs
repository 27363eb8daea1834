using System.Numerics;

namespace GraphCast.Model.Forcings;

/// <summary>
/// Earth's position relative to the Sun at one instant (rotation phase, solar declination, equation of
/// time, Sun distance), from the empirical GEM formulas (<c>sucst</c>/<c>fctast</c>) that the reference's
/// <c>solar_radiation._get_orbital_parameters</c> uses to reproduce ERA5's TISR.
/// </summary>
/// <remarks>
/// Generic in the float type so one transcription serves both precisions: <see cref="double"/> (this port's
/// default) and <see cref="float"/> (the reference's path under JAX with x64 disabled, where every constant is
/// rounded to float32 and every operation is a float32 operation). The reference's dot products are summed
/// here left to right in the order their terms are listed.
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal readonly record struct OrbitalParameters<T>(
    T RotationalPhase,
    T SinDeclination,
    T CosDeclination,
    T EquationOfTimeSeconds,
    T SolarDistanceAu)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Length of a Julian year in days.</summary>
    private const double JulianYearDays = 365.25;

    /// <summary>Obliquity of the ecliptic in radians (23.4393°), REPSM in GEM.</summary>
    private const double Obliquity = 0.409093;

    /// <summary>Parameters at a time given as days since J2000.0 (2000-01-01T12:00, taken as UTC).</summary>
    public static OrbitalParameters<T> At(T j2000Days)
    {
        // Julian years since J2000, and the rotation phase as a fraction (0 at J2000.0, 12:00).
        T theta = j2000Days / C(JulianYearDays);
        T rotationalPhase = FloorModOne(j2000Days);

        // REL, REM and RLLS of GEM: mean anomaly-like angles, linear in theta.
        T rel = C(1.7535) + (C(6.283076) * theta);
        T rem = C(6.240041) + (C(6.283020) * theta);
        T rlls = C(4.8951) + (C(6.283076) * theta);

        T two = C(2.0);
        T sinRel = T.Sin(rel);
        T cosRel = T.Cos(rel);
        T sinTwoRel = T.Sin(two * rel);
        T cosTwoRel = T.Cos(two * rel);
        T sinTwoRlls = T.Sin(two * rlls);
        T cosTwoRlls = T.Cos(two * rlls);
        T sinFourRlls = T.Sin(C(4.0) * rlls);
        T sinRem = T.Sin(rem);
        T sinTwoRem = T.Sin(two * rem);

        // Ecliptic longitude of the Sun, RLLLS.
        T rllls = (T.One * C(4.8952)) + (theta * C(6.283320)) + (sinRel * C(-0.0075)) + (cosRel * C(-0.0326))
            + (sinTwoRel * C(-0.0003)) + (cosTwoRel * C(0.0002));

        // Declination, RDS.
        T sinDeclination = T.Sin(C(Obliquity)) * T.Sin(rllls);
        T cosDeclination = T.Sqrt(T.One - (sinDeclination * sinDeclination));

        // Equation of time in seconds, RET.
        T equationOfTime = (sinTwoRlls * C(591.8)) + (sinRem * C(-459.4)) + (sinRem * cosTwoRlls * C(39.5))
            + (sinFourRlls * C(-12.7)) + (sinTwoRem * C(-4.8));

        // Earth–Sun distance in astronomical units, RRS.
        T distance = (T.One * C(1.0001)) + (sinRel * C(-0.0163)) + (cosRel * C(0.0037));

        return new OrbitalParameters<T>(rotationalPhase, sinDeclination, cosDeclination, equationOfTime, distance);
    }

    /// <summary>A float64 constant as the reference's weakly typed Python float becomes: rounded to T.</summary>
    private static T C(double value) => T.CreateChecked(value);

    /// <summary>x mod 1 with the sign of the divisor, as jnp's <c>%</c>.</summary>
    private static T FloorModOne(T value)
    {
        T remainder = value % T.One;
        return remainder < T.Zero ? remainder + T.One : remainder;
    }
}
