namespace GraphCast.Model.Forcings;

/// <summary>The floating-point path <see cref="SolarRadiation"/> takes through times, orbit and flux.</summary>
public enum SolarRadiationPrecision
{
    /// <summary>
    /// This port's default: every quantity in float64. Sample times are exact to well under a microsecond,
    /// so the integral is the ERA5 formula without rounding artefacts.
    /// </summary>
    Float64 = 0,

    /// <summary>
    /// The reference's numeric path as it runs under JAX with x64 disabled: days since J2000 are rounded to
    /// float32 (about 42 s steps around 2020, so the 10 s integration samples collapse onto a coarser time
    /// grid), and orbit, flux and integral are float32. Use it to compare with the reference.
    /// At times that are whole multiples of 3 h (GraphCast's 6-hourly steps) the end time is exact in float32
    /// and the result is within about 1e-5 of the peak value of <see cref="Float64"/>. At other times the
    /// float32 end time moves the whole hour by up to ±21 s, which changes low-Sun values by up to ~1%.
    /// </summary>
    Float32 = 1,
}
