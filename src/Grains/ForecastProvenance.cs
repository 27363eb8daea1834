using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Grains;

/// <summary>
/// The root attributes of a run's <c>forecast.zarr</c>: CF <c>Conventions</c>, <c>title</c>, <c>source</c> (engine
/// version and commit), <c>history</c>, and the run's identity (run id, the spec as canonical JSON and its hash, model,
/// seed, init time, chunk codec), so the store describes itself to someone who knows nothing of the run.
/// </summary>
/// <remarks>
/// Every value derives from the spec and the engine build, never from the clock: a retried submit re-creates the store's
/// metadata, which must be byte-identical to be accepted.
/// </remarks>
internal static class ForecastProvenance
{
    /// <summary>The engine's informational version (VERSION+COMMIT).</summary>
    public static string EngineVersion { get; } =
        typeof(ForecastProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ForecastProvenance).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static ImmutableSortedDictionary<string, string> Attributes(ForecastSpec spec)
    {
        var init = spec.InitTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            ["Conventions"] = "CF-1.8",
            ["title"] = $"GraphCast ensemble forecast {spec.RunId}",
            ["institution"] = "GraphCast.Orleans",
            ["source"] = $"GraphCast (machine-learned weather model) {spec.Model}, ensemble rollout on GraphCast.Orleans {EngineVersion}",
            ["history"] = FormattableString.Invariant(
                $"graphcast forecast --run-id {spec.RunId}: model {spec.Model}, {spec.Members} members x {spec.Steps} steps from {init} (GraphCast.Orleans {EngineVersion})"),
            ["init_time"] = init,
            ["graphcast_run_id"] = spec.RunId,
            ["graphcast_model"] = spec.Model,
            ["graphcast_seed"] = spec.Seed.ToString(CultureInfo.InvariantCulture),
            ["graphcast_members"] = spec.Members.ToString(CultureInfo.InvariantCulture),
            ["graphcast_perturbation"] = spec.Perturbation.ToString(),
            ["graphcast_compression"] = spec.Compression ?? "none",
            ["graphcast_spec"] = SpecHash.Canonical(spec),
            ["graphcast_spec_hash"] = SpecHash.Of(spec),
            ["graphcast_engine_version"] = EngineVersion,
        });
    }
}
