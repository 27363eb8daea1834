namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// What a silo knows of the models it can run (presets, and <c>checkpoint:NAME.npz</c> in its <c>Models:WeightsDirectory</c>):
/// their sizes and graphs, the grid and task an initial condition must be prepared for, and a short random-weight demo. A
/// stateless worker (key 0): each call runs on the silo that receives it, on its compute threads; no tensor leaves the silo.
/// </summary>
[Alias("GraphCast.IModelCatalogGrain")]
public interface IModelCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Parameter and tensor counts, grid and mesh sizes, channels and the graph build time of <paramref name="model"/>.</summary>
    /// <param name="model">A preset name or <c>checkpoint:NAME.npz</c>, as in <see cref="ForecastSpec.Model"/>.</param>
    /// <exception cref="ArgumentException">An unknown preset, or a checkpoint that is not in the silo's weights folder or does not match its configuration.</exception>
    [Alias("Describe")]
    Task<ModelDescription> DescribeAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>
    /// The nest of <paramref name="region"/> (<c>NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]]</c>) in <paramref name="model"/>,
    /// built with its parameters from <paramref name="regionModel"/> (<c>seed:N</c> or a weights file): grid, mesh, edges, parameters.
    /// </summary>
    /// <exception cref="ArgumentException">A bad region, a cut-out (no model), or weights that do not fit (one line).</exception>
    [Alias("DescribeRegion")]
    Task<RegionDescription> DescribeRegionAsync(string model, string region, string regionModel, CancellationToken cancellationToken = default);

    /// <summary>The grid and the task of <paramref name="model"/>: what an initial condition for it holds (no graphs are built).</summary>
    [Alias("GetInputs")]
    Task<ModelInputs> GetInputsAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>
    /// Initialises preset <paramref name="preset"/> with random weights from <paramref name="seed"/> and applies it
    /// autoregressively for <paramref name="steps"/> steps from the analytic baroclinic-wave state, summarising a few fields per step.
    /// </summary>
    [Alias("Demo")]
    Task<ModelDemo> DemoAsync(string preset, long seed, int steps, CancellationToken cancellationToken = default);
}
