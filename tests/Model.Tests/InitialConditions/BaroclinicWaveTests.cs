using GraphCast.Model.InitialConditions;

namespace GraphCast.Model.Tests.InitialConditions;

/// <summary>The Jablonowski–Williamson (2006) formulas point by point, against hand evaluations and their own balances.</summary>
public sealed class BaroclinicWaveTests
{
    private const double U0 = 35.0;
    private const double Rd = 287.0;
    private const double G = 9.80616;
    private const double AOmega = 6.371229e6 * 7.29212e-5;

    [Fact]
    public void Surface_temperature_at_the_equator_matches_the_paper_evaluated_by_hand()
    {
        // At φ = 0: sin φ = 0, cos φ = 1, so A = 10/63 and B = 8/5 · 2/3 − π/4; at η = 1, T̄ = T0 = 288 K.
        var etaV = (1.0 - 0.252) * Math.PI / 2.0;
        var cos32 = Math.Pow(Math.Cos(etaV), 1.5);
        var expected = 288.0 + (0.75 * Math.PI * U0 / Rd * Math.Sin(etaV) * Math.Sqrt(Math.Cos(etaV)) *
            ((2.0 * U0 * cos32 * 10.0 / 63.0) + (AOmega * ((16.0 / 15.0) - (Math.PI / 4.0)))));

        Assert.Equal(expected, BaroclinicWave.Temperature(1.0, 0.0), 1e-10);

        // The same number from an independent calculator: the tropical surface of the test is hot (≈ 310 K).
        Assert.Equal(309.951046, BaroclinicWave.Temperature(1.0, 0.0), 1e-6);
    }

    [Fact]
    public void Surface_geopotential_matches_the_paper_at_the_equator_and_the_pole()
    {
        var cos32 = Math.Pow(Math.Cos((1.0 - 0.252) * Math.PI / 2.0), 1.5);

        // Equator: A = 10/63, B = 16/15 − π/4. Pole: sin φ = 1, cos φ = 0, so A = −2/3 + 10/63 and B = −π/4.
        var equator = U0 * cos32 * ((U0 * cos32 * 10.0 / 63.0) + (AOmega * ((16.0 / 15.0) - (Math.PI / 4.0))));
        var pole = U0 * cos32 * ((U0 * cos32 * ((-2.0 / 3.0) + (10.0 / 63.0))) + (AOmega * -Math.PI / 4.0));

        Assert.Equal(equator, BaroclinicWave.SurfaceGeopotential(0.0), 1e-9);
        Assert.Equal(pole, BaroclinicWave.SurfaceGeopotential(Math.PI / 2.0), 1e-8);
        Assert.Equal(1106.22387, BaroclinicWave.SurfaceGeopotential(0.0), 1e-4);
        Assert.Equal(-3093.50068, BaroclinicWave.SurfaceGeopotential(Math.PI / 2.0), 1e-4);
    }

    [Fact]
    public void Mid_latitude_mid_troposphere_state_matches_the_paper_evaluated_by_hand()
    {
        // φ = 30°: sin φ = 1/2, cos φ = √3/2, so A = −2 (1/64)(3/4 + 1/3) + 10/63 and B = (8/5)(3√3/8)(1/4 + 2/3) − π/4.
        // η = 0.5: T̄ = 288 · 0.5^(RdΓ/g), Φ̄ = (288 g / Γ)(1 − 0.5^(RdΓ/g)).
        var a = (-2.0 / 64.0 * ((3.0 / 4.0) + (1.0 / 3.0))) + (10.0 / 63.0);
        var b = (8.0 / 5.0 * 3.0 * Math.Sqrt(3.0) / 8.0 * ((1.0 / 4.0) + (2.0 / 3.0))) - (Math.PI / 4.0);
        var etaV = (0.5 - 0.252) * Math.PI / 2.0;
        var cos32 = Math.Pow(Math.Cos(etaV), 1.5);
        var power = Math.Pow(0.5, Rd * 0.005 / G);
        var phi = Math.PI / 6.0;

        var t = (288.0 * power) + (0.75 * 0.5 * Math.PI * U0 / Rd * Math.Sin(etaV) * Math.Sqrt(Math.Cos(etaV)) *
            ((2.0 * U0 * cos32 * a) + (AOmega * b)));
        var geopotential = (288.0 * G / 0.005 * (1.0 - power)) + (U0 * cos32 * ((U0 * cos32 * a) + (AOmega * b)));
        var u = U0 * cos32 * Math.Pow(Math.Sin(2.0 * phi), 2);

        Assert.Equal(t, BaroclinicWave.Temperature(0.5, phi), 1e-10);
        Assert.Equal(geopotential, BaroclinicWave.Geopotential(0.5, phi), 1e-8);
        Assert.Equal(u, BaroclinicWave.ZonalWind(0.5, phi), 1e-12);

        // The same numbers from an independent calculator.
        Assert.Equal(264.705578, BaroclinicWave.Temperature(0.5, phi), 1e-6);
        Assert.Equal(57023.4941, BaroclinicWave.Geopotential(0.5, phi), 1e-4);
        Assert.Equal(23.3558823, BaroclinicWave.ZonalWind(0.5, phi), 1e-7);
    }

    [Fact]
    public void Stratospheric_state_matches_an_independent_evaluation()
    {
        // η = 0.05 (50 hPa), φ = −60°: both stratospheric branches (ΔT term, ln η term) contribute.
        var phi = -Math.PI / 3.0;
        Assert.Equal(223.345850, BaroclinicWave.Temperature(0.05, phi), 1e-6);
        Assert.Equal(196435.019, BaroclinicWave.Geopotential(0.05, phi), 1e-3);
    }

    [Fact]
    public void Geopotential_at_the_surface_level_is_the_surface_geopotential()
    {
        foreach (var degrees in new[] { -90.0, -45.0, 0.0, 12.5, 40.0, 89.75 })
        {
            var phi = degrees * Math.PI / 180.0;
            Assert.Equal(BaroclinicWave.SurfaceGeopotential(phi), BaroclinicWave.Geopotential(1.0, phi));
        }

        Assert.Equal(0.0, BaroclinicWave.MeanGeopotential(1.0));
    }

    [Fact]
    public void Stratospheric_mean_temperature_adds_the_fifth_power_term_above_the_tropopause()
    {
        var exponent = Rd * 0.005 / G;
        Assert.Equal((288.0 * Math.Pow(0.1, exponent)) + (4.8e5 * Math.Pow(0.1, 5)), BaroclinicWave.MeanTemperature(0.1), 1e-10);
        Assert.Equal(288.0 * Math.Pow(0.5, exponent), BaroclinicWave.MeanTemperature(0.5), 1e-10);
        Assert.Equal(210.415523, BaroclinicWave.MeanTemperature(0.1), 1e-6);
    }

    [Fact]
    public void Mean_temperature_and_geopotential_are_continuous_at_the_tropopause()
    {
        // Across ηt ± h the two branches may differ only by the slope: dT̄/dη = T0 (RdΓ/g) η^(RdΓ/g − 1) (the ΔT term has a
        // zero fourth-order derivative there) and dΦ̄/dη = −Rd T̄ / η. A jump between the branches would remain as h → 0.
        const double etaT = 0.2;
        const double h = 1e-7;
        var exponent = Rd * 0.005 / G;
        var temperatureSlope = 288.0 * exponent * Math.Pow(etaT, exponent - 1.0);
        var geopotentialSlope = -Rd * BaroclinicWave.MeanTemperature(etaT) / etaT;

        Assert.Equal(2.0 * h * temperatureSlope, BaroclinicWave.MeanTemperature(etaT + h) - BaroclinicWave.MeanTemperature(etaT - h), 1e-10);
        Assert.Equal(2.0 * h * geopotentialSlope, BaroclinicWave.MeanGeopotential(etaT + h) - BaroclinicWave.MeanGeopotential(etaT - h), 1e-6);
    }

    [Theory]
    [InlineData(0.001, 0.0)]
    [InlineData(0.05, 30.0)]
    [InlineData(0.15, -60.0)]
    [InlineData(0.3, 45.0)]
    [InlineData(0.5, 10.0)]
    [InlineData(0.85, -75.0)]
    [InlineData(0.999, 89.0)]
    public void Geopotential_is_hydrostatic_with_the_temperature(double eta, double degrees)
    {
        // Centred difference in ln η: ∂Φ/∂ln η = −Rd T holds analytically, so only O(h²) truncation remains.
        const double h = 1e-4;
        var phi = degrees * Math.PI / 180.0;
        var derivative = (BaroclinicWave.Geopotential(eta * (1.0 + h), phi) - BaroclinicWave.Geopotential(eta * (1.0 - h), phi)) /
            Math.Log((1.0 + h) / (1.0 - h));
        var rdT = Rd * BaroclinicWave.Temperature(eta, phi);

        Assert.True(Math.Abs(derivative + rdT) < 1e-6 * rdT, $"∂Φ/∂ln η = {derivative}, −Rd T = {-rdT} at η = {eta}, φ = {degrees}°.");
    }

    [Fact]
    public void Zonal_wind_is_zero_at_the_equator_and_peaks_at_45_degrees_with_u0_cos_three_halves()
    {
        foreach (var eta in new[] { 0.01, 0.25, 0.5, 1.0 })
        {
            Assert.Equal(0.0, BaroclinicWave.ZonalWind(eta, 0.0));
            var peak = U0 * Math.Pow(Math.Cos((eta - 0.252) * Math.PI / 2.0), 1.5);
            Assert.Equal(peak, BaroclinicWave.ZonalWind(eta, Math.PI / 4.0), 1e-12);
            Assert.Equal(peak, BaroclinicWave.ZonalWind(eta, -Math.PI / 4.0), 1e-12);
        }

        Assert.True(Math.Abs(BaroclinicWave.ZonalWind(0.5, Math.PI / 2.0)) < 1e-12);
    }

    [Fact]
    public void Perturbation_is_one_at_its_centre_and_one_over_e_one_radius_away()
    {
        var lambdaC = 20.0 * Math.PI / 180.0;
        var phiC = 40.0 * Math.PI / 180.0;

        Assert.Equal(1.0, BaroclinicWave.ZonalWindPerturbation(lambdaC, phiC), 1e-12);

        // R = a/10 is an angle of 0.1 rad along the centre's meridian.
        Assert.Equal(Math.Exp(-1.0), BaroclinicWave.ZonalWindPerturbation(lambdaC, phiC + 0.1), 1e-12);
        Assert.Equal(Math.Exp(-4.0), BaroclinicWave.ZonalWindPerturbation(lambdaC, phiC - 0.2), 1e-12);

        // 40° of arc away: exp(−(10 · 0.698)²) ≈ 7e-22.
        Assert.True(BaroclinicWave.ZonalWindPerturbation(lambdaC, 0.0) < 1e-20);
        Assert.True(BaroclinicWave.ZonalWindPerturbation(lambdaC + Math.PI, phiC) < 1e-20);
    }

    [Fact]
    public void Humidity_follows_the_dcmip_2016_profile()
    {
        // At the equator at the surface both Gaussians are 1; at 40° and 660 hPa each is e^-1.
        Assert.Equal(0.018, Dcmip2016Humidity.SpecificHumidity(1.0, 0.0), 1e-15);
        Assert.Equal(0.018 * Math.Exp(-2.0), Dcmip2016Humidity.SpecificHumidity(0.66, 40.0 * Math.PI / 180.0), 1e-15);
        Assert.Equal(1e-12, Dcmip2016Humidity.SpecificHumidity(0.1, 0.0));
        Assert.Equal(1e-12, Dcmip2016Humidity.SpecificHumidity(0.001, 0.0));
        Assert.Equal(300.0 / (1.0 + (0.608 * 0.01)), Dcmip2016Humidity.TemperatureFromVirtual(300.0, 0.01), 1e-12);
    }

    [Fact]
    public void Saturation_vapour_pressure_is_bolton_611_2_pa_at_0_celsius_and_42_hpa_at_30()
    {
        Assert.Equal(611.2, WaterVapour.SaturationVapourPressure(273.15), 1e-9);

        // 611.2 · exp(17.67 · 30 / 273.5) = 4245.6 Pa (tables: 4246 Pa).
        Assert.Equal(4245.6, WaterVapour.SaturationVapourPressure(303.15), 0.1);

        // Saturated air: q = ε e_s / (p − (1 − ε) e_s) has relative humidity 1.
        var es = WaterVapour.SaturationVapourPressure(290.0);
        var qs = 0.622 * es / (85000.0 - (0.378 * es));
        Assert.Equal(1.0, WaterVapour.RelativeHumidity(qs, 290.0, 85000.0), 1e-12);
    }

    [Fact]
    public void Sea_level_pressure_is_the_surface_pressure_at_sea_level_and_follows_the_barometric_formula()
    {
        Assert.Equal(100000.0, SeaLevelPressure.Reduce(100000.0, 0.0, 288.0));

        // 500 m above sea level at 280 K: p_msl = p_s (1 + 0.0065 · 500 / 280)^(g / (Rd · 0.0065)).
        var expected = 95000.0 * Math.Pow(1.0 + (0.0065 * 500.0 / 280.0), G / (Rd * 0.0065));
        Assert.Equal(expected, SeaLevelPressure.Reduce(95000.0, 500.0 * G, 280.0), 1e-8);
        Assert.True(SeaLevelPressure.Reduce(100000.0, -1000.0, 250.0) < 100000.0);
    }
}
