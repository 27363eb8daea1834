using GraphCast.Model.Configuration;

namespace GraphCast.Model.InitialConditions;

/// <summary>
/// A built-in analytic initial condition on a regular latitude–longitude grid: every non-forcing variable of a GraphCast
/// task, consistently, from the Jablonowski &amp; Williamson (2006) baroclinic-wave state (<see cref="BaroclinicWave"/>).
/// </summary>
/// <remarks>
/// <para>What each variable is (pressure level p in hPa, η = p / 1000; the surface is η = 1, p_s = 1000 hPa everywhere):</para>
/// <list type="bullet">
/// <item><c>u_component_of_wind</c>: u(η, φ) of the paper, plus the perturbation u'(λ, φ) when asked for (all levels).</item>
/// <item><c>v_component_of_wind</c>: 0 (the paper perturbs u only). <c>vertical_velocity</c>: 0 Pa/s (the state is steady).</item>
/// <item><c>geopotential</c>: Φ(η, φ) of the paper (unchanged by the perturbation, which is not balanced).</item>
/// <item><c>temperature</c>: the paper's T(η, φ) when dry; when moist, the paper's T is the virtual temperature and
/// T = Tv / (1 + 0.608 q), as in DCMIP-2016 (<see cref="Dcmip2016Humidity"/>), so Φ stays hydrostatic with Tv.</item>
/// <item><c>specific_humidity</c>: the DCMIP-2016 q(η, φ) when moist, 0 when dry.</item>
/// <item><c>2m_temperature</c>: temperature at η = 1. <c>10m_u/v_component_of_wind</c>: wind at η = 1 (with the perturbation).</item>
/// <item><c>mean_sea_level_pressure</c> (Pa): p_s = 100000 Pa reduced from Φs with the standard-lapse-rate barometric formula
/// (<see cref="SeaLevelPressure"/>) and the surface virtual temperature; exactly p_s where Φs = 0.</item>
/// <item><c>total_precipitation_6hr</c>: 0 m (nothing has fallen at the initial time).</item>
/// <item><c>geopotential_at_surface</c>: Φs(φ) of the paper, equal to <c>geopotential</c> at 1000 hPa.</item>
/// <item><c>land_sea_mask</c>: 0 everywhere (an aquaplanet; Φs is the paper's balancing orography, not land).</item>
/// </list>
/// <para>
/// Forcings (<c>toa_incident_solar_radiation</c>, <c>year_progress_*</c>, <c>day_progress_*</c>) depend on time, not on
/// the state, and are computed by the forcings module; asking for one here is an error that says so.
/// </para>
/// <para>Values are computed in float64 and stored as float32; rows are filled in parallel over latitudes.</para>
/// </remarks>
public static class AnalyticState
{
    private const double DegreesToRadians = Math.PI / 180.0;

    /// <summary>Surface pressure of the state (Pa).</summary>
    public const double SurfacePressurePa = BaroclinicWave.SurfacePressureHpa * 100.0;

    /// <summary>The variables this state provides: every target and static variable of a GraphCast task.</summary>
    public static IReadOnlyList<string> SupportedVariables { get; } =
        [.. Variables.TargetSurface, .. Variables.TargetAtmospheric, .. Variables.Static];

    /// <summary>
    /// The Jablonowski–Williamson state for the non-forcing inputs and the targets of <paramref name="task"/> on its
    /// pressure levels.
    /// </summary>
    public static IReadOnlyDictionary<string, AnalyticField> JablonowskiWilliamson(
        TaskConfig task, float[] latitudes, float[] longitudes, bool perturbation, bool moist = true)
    {
        ArgumentNullException.ThrowIfNull(task);
        var variables = task.InputVariables.Concat(task.TargetVariables)
            .Where(v => !task.ForcingVariables.Contains(v))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return JablonowskiWilliamson(latitudes, longitudes, task.PressureLevels, variables, perturbation, moist);
    }

    /// <summary>
    /// The Jablonowski–Williamson state: <paramref name="variables"/> on the grid of <paramref name="latitudes"/>
    /// (degrees, any order within [−90, 90]) × <paramref name="longitudes"/> (degrees) and, for atmospheric variables, on
    /// <paramref name="levels"/> (hPa, in (0, 1000], in the given order).
    /// </summary>
    /// <param name="perturbation">Add the paper's 1 m/s zonal-wind bump at 20°E 40°N (the trigger of the baroclinic wave).</param>
    /// <param name="moist">Add the DCMIP-2016 humidity (and treat the paper's T as virtual temperature); false gives the
    /// paper's dry state exactly, with q = 0.</param>
    /// <returns>One field per distinct requested variable, keyed by its name.</returns>
    public static IReadOnlyDictionary<string, AnalyticField> JablonowskiWilliamson(
        float[] latitudes, float[] longitudes, IReadOnlyList<int> levels, IReadOnlyList<string> variables, bool perturbation, bool moist = true)
    {
        ArgumentNullException.ThrowIfNull(latitudes);
        ArgumentNullException.ThrowIfNull(longitudes);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(variables);
        ValidateGrid(latitudes, longitudes);
        ValidateLevels(levels);
        var wanted = ValidateVariables(variables);

        var grid = new GridShape(levels.Count, latitudes.Length, longitudes.Length);
        var fields = new Dictionary<string, AnalyticField>(StringComparer.Ordinal);
        float[]? Allocate(string name, bool filled)
        {
            if (!wanted.Contains(name))
            {
                return null;
            }

            var levelCount = TaskConfig.HasLevels(name) ? grid.Levels : 1;
            var size = grid.Size(levelCount, name);

            // Fields that stay zero need the zeroed array; the others are overwritten whole, so skip the zeroing.
            var data = filled ? GC.AllocateUninitializedArray<float>(size) : new float[size];
            fields[name] = new AnalyticField(name, levelCount, grid.Latitudes, grid.Longitudes, data);
            return data;
        }

        var output = new Outputs
        {
            U = Allocate(Variables.UWind, filled: true),
            T = Allocate(Variables.Temperature, filled: true),
            Phi = Allocate(Variables.Geopotential, filled: true),
            Q = Allocate(Variables.SpecificHumidity, filled: true),
            U10 = Allocate(Variables.UWind10m, filled: true),
            T2 = Allocate(Variables.Temperature2m, filled: true),
            Mslp = Allocate(Variables.MeanSeaLevelPressure, filled: true),
            PhiS = Allocate(Variables.GeopotentialAtSurface, filled: true),
        };

        // Identically zero: v, ω, 10 m v, precipitation, land-sea mask (their arrays are allocated zeroed above).
        _ = Allocate(Variables.VWind, filled: false);
        _ = Allocate(Variables.VerticalVelocity, filled: false);
        _ = Allocate(Variables.VWind10m, filled: false);
        _ = Allocate(Variables.TotalPrecipitation6h, filled: false);
        _ = Allocate(Variables.LandSeaMask, filled: false);

        var eta = levels.Select(p => BaroclinicWave.EtaOfPressure(p)).ToArray();
        var lambda = longitudes.Select(l => l * DegreesToRadians).ToArray();
        var needsPerturbation = perturbation && (output.U is not null || output.U10 is not null);

        Parallel.For(0, grid.Latitudes, i =>
        {
            var phi = latitudes[i] * DegreesToRadians;

            // u'(λ) along this latitude row, the same at every level.
            double[]? perturbationRow = null;
            if (needsPerturbation)
            {
                perturbationRow = new double[grid.Longitudes];
                for (var j = 0; j < perturbationRow.Length; j++)
                {
                    perturbationRow[j] = BaroclinicWave.ZonalWindPerturbation(lambda[j], phi);
                }
            }

            for (var k = 0; k < eta.Length; k++)
            {
                var row = grid.Row(k, i);
                if (output.U is not null)
                {
                    FillWind(output.U.AsSpan(row, grid.Longitudes), BaroclinicWave.ZonalWind(eta[k], phi), perturbationRow);
                }

                var (temperature, q) = TemperatureAndHumidity(eta[k], phi, moist);
                output.T?.AsSpan(row, grid.Longitudes).Fill((float)temperature);
                output.Q?.AsSpan(row, grid.Longitudes).Fill((float)q);
                output.Phi?.AsSpan(row, grid.Longitudes).Fill((float)BaroclinicWave.Geopotential(eta[k], phi));
            }

            var surfaceRow = grid.Row(0, i);
            if (output.U10 is not null)
            {
                FillWind(output.U10.AsSpan(surfaceRow, grid.Longitudes), BaroclinicWave.ZonalWind(BaroclinicWave.EtaSurface, phi), perturbationRow);
            }

            var surfaceGeopotential = BaroclinicWave.SurfaceGeopotential(phi);
            var (surfaceTemperature, _) = TemperatureAndHumidity(BaroclinicWave.EtaSurface, phi, moist);
            output.T2?.AsSpan(surfaceRow, grid.Longitudes).Fill((float)surfaceTemperature);
            output.PhiS?.AsSpan(surfaceRow, grid.Longitudes).Fill((float)surfaceGeopotential);
            if (output.Mslp is not null)
            {
                // The reduction integrates the hydrostatic equation, which holds with the virtual temperature.
                var surfaceVirtualTemperature = BaroclinicWave.Temperature(BaroclinicWave.EtaSurface, phi);
                var mslp = SeaLevelPressure.Reduce(SurfacePressurePa, surfaceGeopotential, surfaceVirtualTemperature);
                output.Mslp.AsSpan(surfaceRow, grid.Longitudes).Fill((float)mslp);
            }
        });

        return fields;
    }

    /// <summary>Temperature (K) and specific humidity (kg/kg) at (η, φ); the paper's T is the virtual temperature when moist.</summary>
    private static (double Temperature, double SpecificHumidity) TemperatureAndHumidity(double eta, double phi, bool moist)
    {
        var virtualTemperature = BaroclinicWave.Temperature(eta, phi);
        if (!moist)
        {
            return (virtualTemperature, 0.0);
        }

        var q = Dcmip2016Humidity.SpecificHumidity(eta, phi);
        return (Dcmip2016Humidity.TemperatureFromVirtual(virtualTemperature, q), q);
    }

    /// <summary>Fills a latitude row with the zonal-mean wind, plus u'(λ) where perturbed (summed in float64).</summary>
    private static void FillWind(Span<float> row, double zonal, double[]? perturbationRow)
    {
        if (perturbationRow is null)
        {
            row.Fill((float)zonal);
            return;
        }

        for (var j = 0; j < row.Length; j++)
        {
            row[j] = (float)(zonal + perturbationRow[j]);
        }
    }

    private static void ValidateGrid(float[] latitudes, float[] longitudes)
    {
        if (latitudes.Length == 0 || longitudes.Length == 0)
        {
            throw new ArgumentException(
                $"The grid has {latitudes.Length} latitudes and {longitudes.Length} longitudes; give at least one of each.");
        }

        foreach (var lat in latitudes)
        {
            if (!float.IsFinite(lat) || lat < -90f || lat > 90f)
            {
                throw new ArgumentException(
                    $"Latitude {lat}° is outside [−90°, 90°]; give latitudes in degrees north.", nameof(latitudes));
            }
        }

        foreach (var lon in longitudes)
        {
            if (!float.IsFinite(lon))
            {
                throw new ArgumentException($"Longitude {lon} is not a finite number of degrees east.", nameof(longitudes));
            }
        }
    }

    private static void ValidateLevels(IReadOnlyList<int> levels)
    {
        if (levels.Count == 0)
        {
            throw new ArgumentException("No pressure levels given; give the task's levels in hPa, e.g. 50, 100, …, 1000.", nameof(levels));
        }

        foreach (var p in levels)
        {
            if (p <= 0 || p > BaroclinicWave.SurfacePressureHpa)
            {
                throw new ArgumentException(
                    $"Pressure level {p} hPa is outside (0, 1000] hPa: the Jablonowski–Williamson state has a uniform surface " +
                    "pressure of 1000 hPa, so it has no air below 1000 hPa; give levels in hPa between 1 and 1000.",
                    nameof(levels));
            }
        }

        if (levels.Distinct().Count() != levels.Count)
        {
            throw new ArgumentException($"Pressure levels [{string.Join(", ", levels)}] repeat a level; give each level once.", nameof(levels));
        }
    }

    private static HashSet<string> ValidateVariables(IReadOnlyList<string> variables)
    {
        var supported = new HashSet<string>(SupportedVariables, StringComparer.Ordinal);
        foreach (var v in variables)
        {
            if (Variables.Forcings.Contains(v))
            {
                throw new ArgumentException(
                    $"'{v}' is a forcing: it depends on the time, not on the initial state, and comes from the forcings " +
                    $"module. Ask the analytic state only for: {string.Join(", ", SupportedVariables)}.",
                    nameof(variables));
            }

            if (!supported.Contains(v))
            {
                throw new ArgumentException(
                    $"Unknown variable '{v}' for the analytic Jablonowski–Williamson state. Supported variables: " +
                    $"{string.Join(", ", SupportedVariables)}.",
                    nameof(variables));
            }
        }

        return new HashSet<string>(variables, StringComparer.Ordinal);
    }

    /// <summary>The output arrays that hold computed values (null where not asked for).</summary>
    private sealed class Outputs
    {
        public float[]? U { get; init; }

        public float[]? T { get; init; }

        public float[]? Phi { get; init; }

        public float[]? Q { get; init; }

        public float[]? U10 { get; init; }

        public float[]? T2 { get; init; }

        public float[]? Mslp { get; init; }

        public float[]? PhiS { get; init; }
    }

    /// <summary>Sizes and row offsets of <c>[level, lat, lon]</c> arrays.</summary>
    private readonly record struct GridShape(int Levels, int Latitudes, int Longitudes)
    {
        /// <summary>Offset of the longitude row (level k, latitude i).</summary>
        public int Row(int level, int latitude) => ((level * Latitudes) + latitude) * Longitudes;

        public int Size(int levels, string name)
        {
            var size = (long)levels * Latitudes * Longitudes;
            return size <= Array.MaxLength
                ? (int)size
                : throw new ArgumentException(
                    $"Field '{name}' would hold {size} values ({levels} × {Latitudes} × {Longitudes}), more than one array can; use a coarser grid or fewer levels.");
        }
    }
}
