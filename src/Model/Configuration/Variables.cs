namespace GraphCast.Model.Configuration;

/// <summary>The variable names and level sets of the reference <c>graphcast.py</c> (ERA5 long names).</summary>
public static class Variables
{
    public const string Temperature2m = "2m_temperature";
    public const string MeanSeaLevelPressure = "mean_sea_level_pressure";
    public const string VWind10m = "10m_v_component_of_wind";
    public const string UWind10m = "10m_u_component_of_wind";
    public const string TotalPrecipitation6h = "total_precipitation_6hr";
    public const string Temperature = "temperature";
    public const string Geopotential = "geopotential";
    public const string UWind = "u_component_of_wind";
    public const string VWind = "v_component_of_wind";
    public const string VerticalVelocity = "vertical_velocity";
    public const string SpecificHumidity = "specific_humidity";
    public const string ToaIncidentSolarRadiation = "toa_incident_solar_radiation";
    public const string YearProgressSin = "year_progress_sin";
    public const string YearProgressCos = "year_progress_cos";
    public const string DayProgressSin = "day_progress_sin";
    public const string DayProgressCos = "day_progress_cos";
    public const string GeopotentialAtSurface = "geopotential_at_surface";
    public const string LandSeaMask = "land_sea_mask";

    public static readonly IReadOnlyList<string> TargetSurface =
        [Temperature2m, MeanSeaLevelPressure, VWind10m, UWind10m, TotalPrecipitation6h];

    public static readonly IReadOnlyList<string> TargetAtmospheric =
        [Temperature, Geopotential, UWind, VWind, VerticalVelocity, SpecificHumidity];

    public static readonly IReadOnlyList<string> Forcings =
        [ToaIncidentSolarRadiation, YearProgressSin, YearProgressCos, DayProgressSin, DayProgressCos];

    public static readonly IReadOnlyList<string> Static = [GeopotentialAtSurface, LandSeaMask];

    public static readonly IReadOnlySet<string> Atmospheric = new HashSet<string>(TargetAtmospheric, StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> All =
        new HashSet<string>(TargetSurface.Concat(TargetAtmospheric).Concat(Forcings).Concat(Static), StringComparer.Ordinal);

    public static readonly IReadOnlyList<int> PressureLevelsEra5_37 =
        [1, 2, 3, 5, 7, 10, 20, 30, 50, 70, 100, 125, 150, 175, 200, 225, 250, 300, 350, 400, 450, 500, 550, 600, 650, 700, 750, 775, 800, 825, 850, 875, 900, 925, 950, 975, 1000];

    public static readonly IReadOnlyList<int> PressureLevelsWeatherBench13 =
        [50, 100, 150, 200, 250, 300, 400, 500, 600, 700, 850, 925, 1000];

    /// <summary>Units of each variable (ERA5 conventions), for output metadata.</summary>
    public static string UnitsOf(string variable) => variable switch
    {
        Temperature2m or Temperature => "K",
        MeanSeaLevelPressure => "Pa",
        UWind10m or VWind10m or UWind or VWind => "m s**-1",
        TotalPrecipitation6h => "m",
        Geopotential or GeopotentialAtSurface => "m**2 s**-2",
        VerticalVelocity => "Pa s**-1",
        SpecificHumidity => "kg kg**-1",
        ToaIncidentSolarRadiation => "J m**-2",
        LandSeaMask => "(0 - 1)",
        _ => "1",
    };
}
