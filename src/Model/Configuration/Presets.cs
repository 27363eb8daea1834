namespace GraphCast.Model.Configuration;

/// <summary>
/// The published GraphCast configurations (values from the checkpoints, graphcast.md §1.1) and small CPU presets for
/// tests and demos. A checkpoint's own configuration always wins over a preset.
/// </summary>
public static class Presets
{
    private const double Mesh2GridFactorPublished = 0.6180338738074472;

    /// <summary>The reference's <c>TASK</c>: 37 levels, precipitation as input and output.</summary>
    public static TaskConfig Task37 { get; } = new()
    {
        InputVariables = [.. Variables.TargetSurface, .. Variables.TargetAtmospheric, .. Variables.Forcings, .. Variables.Static],
        TargetVariables = [.. Variables.TargetSurface, .. Variables.TargetAtmospheric],
        ForcingVariables = Variables.Forcings,
        PressureLevels = Variables.PressureLevelsEra5_37,
        InputDuration = "12h",
    };

    /// <summary>The reference's <c>TASK_13</c>.</summary>
    public static TaskConfig Task13 { get; } = Task37 with { PressureLevels = Variables.PressureLevelsWeatherBench13 };

    /// <summary>The reference's <c>TASK_13_PRECIP_OUT</c>: precipitation is predicted but not an input.</summary>
    public static TaskConfig Task13PrecipOut { get; } = Task13 with
    {
        InputVariables = Task13.InputVariables.Where(v => v != Variables.TotalPrecipitation6h).ToArray(),
    };

    public static ModelPreset GraphCast025 { get; } = new(
        "graphcast-0.25deg",
        new ModelConfig
        {
            Resolution = 0.25, MeshSize = 6, LatentSize = 512, GnnMsgSteps = 16, HiddenLayers = 1,
            RadiusQueryFractionEdgeLength = 0.5999912857713345, Mesh2GridEdgeNormalizationFactor = Mesh2GridFactorPublished,
        },
        Task37,
        "GraphCast, ERA5 1979-2017, 0.25°, 37 pressure levels, mesh 2to6, precipitation input and output");

    public static ModelPreset GraphCastSmall { get; } = new(
        "graphcast-small",
        new ModelConfig
        {
            Resolution = 1.0, MeshSize = 5, LatentSize = 512, GnnMsgSteps = 16, HiddenLayers = 1,
            RadiusQueryFractionEdgeLength = 0.6, Mesh2GridEdgeNormalizationFactor = Mesh2GridFactorPublished,
        },
        Task13,
        "GraphCast_small, ERA5 1979-2015, 1°, 13 pressure levels, mesh 2to5, precipitation input and output");

    public static ModelPreset GraphCastOperational { get; } = new(
        "graphcast-operational",
        GraphCast025.Model,
        Task13PrecipOut,
        "GraphCast_operational, ERA5-HRES 1979-2021, 0.25°, 13 pressure levels, mesh 2to6, precipitation output only");

    /// <summary>A CPU test preset on a 10° grid: a step takes milliseconds.</summary>
    public static ModelPreset Tiny { get; } = new(
        "tiny",
        new ModelConfig
        {
            Resolution = 10.0, MeshSize = 2, LatentSize = 32, GnnMsgSteps = 2, HiddenLayers = 1,
            RadiusQueryFractionEdgeLength = 0.6, Mesh2GridEdgeNormalizationFactor = null,
        },
        Task13,
        "Random-weight test model: 10° grid, mesh 2to2, latent 32, 2 message-passing steps, 13 levels");

    /// <summary>A CPU demo preset on a 2° grid: a step takes about a second or two on 2 cores.</summary>
    public static ModelPreset Demo { get; } = new(
        "demo",
        new ModelConfig
        {
            Resolution = 2.0, MeshSize = 4, LatentSize = 128, GnnMsgSteps = 8, HiddenLayers = 1,
            RadiusQueryFractionEdgeLength = 0.6, Mesh2GridEdgeNormalizationFactor = null,
        },
        Task13,
        "Random-weight demo model: 2° grid, mesh 2to4, latent 128, 8 message-passing steps, 13 levels");

    public static IReadOnlyList<ModelPreset> All { get; } = [GraphCast025, GraphCastSmall, GraphCastOperational, Tiny, Demo];

    /// <summary>The preset called <paramref name="name"/>; an unknown name lists the known ones.</summary>
    public static ModelPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown preset '{name}'. Known presets: {string.Join(", ", All.Select(p => p.Name))}.");
}
