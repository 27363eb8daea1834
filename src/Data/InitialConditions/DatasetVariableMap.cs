using GraphCast.Data.Datasets;
using GraphCast.Model.Configuration;
using GraphCast.Model.InitialConditions;

namespace GraphCast.Data.InitialConditions;

/// <summary>
/// How a dataset's variables give the model's: by name (the model's long names, ERA5/CF short names, GRIB short names), by GRIB
/// <c>paramId</c> or by CF <c>standard_name</c>, with the unit conversions that make them the model's quantities —
/// relative humidity (with temperature and pressure) → specific humidity, geopotential height → geopotential, °C → K,
/// hPa → Pa. Fields are read on the dataset's own grid.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>model variable</term><description>dataset variable (names · paramId · standard_name)</description></listheader>
/// <item><term>temperature</term><description>temperature, t · 130 · air_temperature (on levels)</description></item>
/// <item><term>geopotential</term><description>geopotential, z · 129 · geopotential; or geopotential height gh, zg · 156 · geopotential_height, × g₀ = 9.80665 m/s²</description></item>
/// <item><term>u/v_component_of_wind</term><description>u, v · 131, 132 · eastward_wind, northward_wind</description></item>
/// <item><term>vertical_velocity</term><description>w · 135 · lagrangian_tendency_of_air_pressure</description></item>
/// <item><term>specific_humidity</term><description>q · 133 · specific_humidity; or relative humidity r · 157 · relative_humidity
/// (% or fraction) with temperature at the same level: <see cref="WaterVapour.SpecificHumidityFromRelative"/></description></item>
/// <item><term>2m_temperature</term><description>t2m, 2t · 167</description></item>
/// <item><term>mean_sea_level_pressure</term><description>msl · 151 · air_pressure_at_mean_sea_level</description></item>
/// <item><term>10m_u/v_component_of_wind</term><description>u10, 10u, v10, 10v · 165, 166</description></item>
/// <item><term>geopotential_at_surface</term><description>z without levels · 129 · surface_geopotential</description></item>
/// <item><term>land_sea_mask</term><description>lsm · 172 · land_binary_mask</description></item>
/// <item><term>toa_incident_solar_radiation</term><description>tisr · 212 (ERA5's hourly accumulation, as the model's)</description></item>
/// <item><term>total_precipitation_6hr</term><description>only by that name: ERA5's <c>tp</c> is an hourly accumulation, not 6-hourly</description></item>
/// </list>
/// </remarks>
public sealed class DatasetVariableMap
{
    /// <summary>Standard gravity (m/s²): geopotential = g₀ · geopotential height.</summary>
    public const double StandardGravity = 9.80665;

    private static readonly Candidate[] Candidates =
    [
        new(Variables.Temperature, true, ["temperature", "t", "ta"], [130], ["air_temperature"], Conversion.Temperature),
        new(Variables.Geopotential, true, ["geopotential", "z"], [129], ["geopotential"], Conversion.Geopotential),
        new(Variables.Geopotential, true, ["geopotential_height", "gh", "zg"], [156], ["geopotential_height"], Conversion.GeopotentialHeight),
        new(Variables.UWind, true, ["u_component_of_wind", "u", "ua"], [131], ["eastward_wind"], Conversion.None),
        new(Variables.VWind, true, ["v_component_of_wind", "v", "va"], [132], ["northward_wind"], Conversion.None),
        new(Variables.VerticalVelocity, true, ["vertical_velocity", "w", "wap"], [135], ["lagrangian_tendency_of_air_pressure"], Conversion.None),
        new(Variables.SpecificHumidity, true, ["specific_humidity", "q", "hus"], [133], ["specific_humidity"], Conversion.None),
        new(Variables.SpecificHumidity, true, ["relative_humidity", "r", "hur"], [157], ["relative_humidity"], Conversion.RelativeHumidity),
        new(Variables.Temperature2m, false, ["2m_temperature", "t2m", "2t", "tas"], [167], [], Conversion.Temperature),
        new(Variables.MeanSeaLevelPressure, false, ["mean_sea_level_pressure", "msl", "psl"], [151], ["air_pressure_at_mean_sea_level"], Conversion.Pressure),
        new(Variables.UWind10m, false, ["10m_u_component_of_wind", "u10", "10u", "uas"], [165], [], Conversion.None),
        new(Variables.VWind10m, false, ["10m_v_component_of_wind", "v10", "10v", "vas"], [166], [], Conversion.None),
        new(Variables.GeopotentialAtSurface, false, ["geopotential_at_surface", "z"], [129], ["surface_geopotential"], Conversion.Geopotential),
        new(Variables.LandSeaMask, false, ["land_sea_mask", "lsm"], [172], ["land_binary_mask"], Conversion.None),
        new(Variables.ToaIncidentSolarRadiation, false, ["toa_incident_solar_radiation", "tisr"], [212], [], Conversion.None),
        new(Variables.TotalPrecipitation6h, false, ["total_precipitation_6hr"], [], [], Conversion.None),
    ];

    private readonly IGriddedDataset _dataset;
    private readonly Dictionary<string, Source> _sources = new(StringComparer.Ordinal);

    public DatasetVariableMap(IGriddedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _dataset = dataset;
        foreach (var c in Candidates)
        {
            if (_sources.ContainsKey(c.Model))
            {
                continue;
            }

            var match = dataset.Variables.FirstOrDefault(v => v.HasLevels == c.HasLevels && c.Matches(v));
            if (match is null)
            {
                continue;
            }

            DatasetVariable? temperature = null;
            if (c.Conversion == Conversion.RelativeHumidity)
            {
                // Relative humidity needs temperature on the same levels.
                temperature = dataset.Variables.FirstOrDefault(v => v.HasLevels && Candidates[0].Matches(v));
                if (temperature is null)
                {
                    continue;
                }
            }

            _sources[c.Model] = new Source(match, c.Conversion, temperature);
        }
    }

    public IGriddedDataset Dataset => _dataset;

    /// <summary>The model variables this dataset provides (on at least one level).</summary>
    public IEnumerable<string> ModelVariables => _sources.Keys;

    public bool Provides(string modelVariable) => _sources.ContainsKey(modelVariable);

    /// <summary>
    /// The dataset variables that are <paramref name="modelVariable"/> by name, <c>paramId</c> or standard name but in a shape
    /// it cannot be read from: laid out otherwise (<see cref="IGriddedDataset.Misshapen"/>), or without pressure levels where
    /// the model's variable has them (or with them where it has none) and not read as another model variable (a surface
    /// <c>z</c> is <c>geopotential_at_surface</c>). Empty when the dataset provides it.
    /// </summary>
    public IReadOnlyList<DatasetVariable> MisshapenFor(string modelVariable)
    {
        if (Provides(modelVariable))
        {
            return [];
        }

        var used = _sources.Values.SelectMany(s => new[] { s.Variable.Name, s.Temperature?.Name }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return Candidates
            .Where(c => c.Model == modelVariable)
            .SelectMany(c => _dataset.Misshapen.Where(c.Matches)
                .Concat(_dataset.Variables.Where(v => v.HasLevels != c.HasLevels && c.Matches(v) && !used.Contains(v.Name))))
            .DistinctBy(v => v.Name)
            .ToList();
    }

    /// <summary>The pressure levels (hPa) at which the dataset gives <paramref name="modelVariable"/>; empty for a surface field or none.</summary>
    public IReadOnlyList<double> LevelsOf(string modelVariable)
    {
        if (!_sources.TryGetValue(modelVariable, out var s))
        {
            return [];
        }

        return s.Temperature is null ? s.Variable.LevelsHpa : s.Variable.LevelsHpa.Where(p => s.Temperature.LevelIndex(p) >= 0).ToArray();
    }

    /// <summary>Where a model variable comes from, e.g. <c>r (%) with t → specific_humidity</c>, for reports.</summary>
    public string Describe(string modelVariable) => _sources.TryGetValue(modelVariable, out var s)
        ? s.Conversion switch
        {
            Conversion.RelativeHumidity => $"{s.Variable.Name} ({s.Variable.Units}) with {s.Temperature!.Name}, converted to specific humidity",
            Conversion.GeopotentialHeight => $"{s.Variable.Name} ({s.Variable.Units}) × g₀",
            _ => $"{s.Variable.Name}{(s.Variable.Units.Length > 0 ? $" ({s.Variable.Units})" : "")}",
        }
        : "absent";

    /// <summary>
    /// The model variable at <paramref name="levelHpa"/> (null for a surface field) and time index <paramref name="time"/>,
    /// in the model's units, on the dataset's grid (<c>[lat, lon]</c>, the dataset's orders).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The dataset does not give it there.</exception>
    public float[] Read(string modelVariable, double? levelHpa, int time, int member = 0)
    {
        if (!_sources.TryGetValue(modelVariable, out var s))
        {
            throw new KeyNotFoundException($"'{_dataset.Source}' has no variable that gives {modelVariable}.");
        }

        var level = 0;
        if (levelHpa is { } p)
        {
            level = s.Variable.LevelIndex(p);
            if (level < 0)
            {
                throw new KeyNotFoundException($"'{_dataset.Source}' has {s.Variable.Name} on {string.Join(", ", s.Variable.LevelsHpa)} hPa, not {p} hPa.");
            }
        }

        var values = _dataset.ReadField(s.Variable.Name, time, level, member);
        var units = s.Variable.Units.Trim();
        switch (s.Conversion)
        {
            case Conversion.Temperature when units is "degC" or "C" or "°C" or "Celsius" or "celsius":
                Apply(values, v => v + 273.15);
                break;
            case Conversion.Geopotential when units is "m" or "gpm":
            case Conversion.GeopotentialHeight when units is "m" or "gpm" or "":
                Apply(values, v => v * StandardGravity);
                break;
            case Conversion.GeopotentialHeight:
                throw new InvalidDataException($"'{_dataset.Source}': geopotential height {s.Variable.Name} has units '{units}'; expected gpm or m.");
            case Conversion.Pressure when units is "hPa" or "millibars" or "mbar":
                Apply(values, v => v * 100.0);
                break;
            case Conversion.RelativeHumidity:
                var fraction = units switch
                {
                    "%" or "percent" => 0.01,
                    "1" or "" or "(0 - 1)" or "fraction" => 1.0,
                    _ => throw new InvalidDataException($"'{_dataset.Source}': relative humidity {s.Variable.Name} has units '{units}'; expected % or a fraction (1)."),
                };
                var temperature = _dataset.ReadField(s.Temperature!.Name, time, s.Temperature.LevelIndex(levelHpa!.Value), member);
                if (s.Temperature.Units.Trim() is "degC" or "C" or "°C")
                {
                    Apply(temperature, v => v + 273.15);
                }

                var pressure = levelHpa.Value * 100.0;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)WaterVapour.SpecificHumidityFromRelative(values[i] * fraction, temperature[i], pressure);
                }

                break;
        }

        return values;
    }

    private static void Apply(float[] values, Func<double, double> f)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)f(values[i]);
        }
    }

    private enum Conversion
    {
        None,
        Temperature,
        Geopotential,
        GeopotentialHeight,
        Pressure,
        RelativeHumidity,
    }

    private sealed record Candidate(string Model, bool HasLevels, string[] Names, int[] ParamIds, string[] StandardNames, Conversion Conversion)
    {
        public bool Matches(DatasetVariable v) =>
            Names.Contains(v.Name, StringComparer.Ordinal) ||
            (v.ParamId is { } id && ParamIds.Contains(id)) ||
            (v.StandardName is { } sn && StandardNames.Contains(sn, StringComparer.Ordinal));
    }

    private sealed record Source(DatasetVariable Variable, Conversion Conversion, DatasetVariable? Temperature);
}
