using GraphCast.Formats.Zarr;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Storage.Runs;

/// <summary>
/// A forecast as a user asks for it, in the vocabulary of <c>graphcast forecast</c>'s options (perturbation and codec as text,
/// variables as names): the body of the HTTP API's <c>POST /v1/runs</c>, and what the CLI builds from its options. Its
/// defaults are the command's. <see cref="ToSpec"/> turns it into a <see cref="ForecastSpec"/> with the checks and messages
/// every front end shares (<see cref="ForecastSpecRules"/>).
/// </summary>
public sealed record ForecastRequest
{
    /// <summary>The init time of an analytic forecast given none: 2024-06-03 06:00 UTC.</summary>
    public static readonly DateTime DefaultInitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    /// <summary>The request's fields, as spelled in JSON (an unknown one is refused with this list).</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["runId", "model", "members", "steps", "seed", "init", "initTime", "perturb", "compression", "checkpointEvery", "variables", "regions", "paramPerturbation"];

    /// <summary>The run id (1 to 128 letters, digits, '.', '_' or '-'); null: the front end picks one.</summary>
    public string? RunId { get; init; }

    /// <summary>A preset name or <c>checkpoint:NAME.npz</c> from the silos' model directory.</summary>
    public string Model { get; init; } = "demo";

    public int Members { get; init; } = 4;

    public int Steps { get; init; } = 8;

    public long Seed { get; init; }

    /// <summary><c>analytic</c>, or a prepared initial condition (<c>prepared:sha256:…</c>, which <c>graphcast forecast --init FILE</c> writes).</summary>
    public string Init { get; init; } = "analytic";

    /// <summary>Valid time (UTC) of the newest input frame; null: <see cref="DefaultInitTime"/>.</summary>
    public DateTime? InitTime { get; init; }

    /// <summary><c>none</c>, <c>gaussian:AMP</c> or <c>correlated:AMP:LENGTH_KM</c>.</summary>
    public string Perturb { get; init; } = "gaussian:0.05";

    /// <summary><c>none</c>, <c>zlib[:1-9]</c> or <c>zstd[:1-22]</c>.</summary>
    public string Compression { get; init; } = ZarrCompressor.Default.ToString();

    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Output variables; empty: everything the model predicts.</summary>
    public IReadOnlyList<string> Variables { get; init; } = [];

    /// <summary>
    /// Forecast regions, each <c>NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]][=MODEL]</c> (MODEL <c>seed:N</c>, the
    /// default <c>seed:0</c>, a weights file or <c>none</c>); the run grain checks them against the model.
    /// </summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Perturbed parameters, <c>gaussian:SCALE[:PATTERN]</c>; null: every member shares the model's.</summary>
    public string? ParamPerturbation { get; init; }

    /// <summary>
    /// The spec this request asks for, or the problems that keep it from being one (each naming its field): the
    /// perturbation and codec must parse, then <see cref="ForecastSpecRules"/> apply. The model and its variables are the
    /// run grain's to check.
    /// </summary>
    public (ForecastSpec? Spec, IReadOnlyList<ForecastSpecProblem> Problems) ToSpec(string runId)
    {
        var problems = new List<ForecastSpecProblem>();
        var perturbation = PerturbationSpec.None;
        try
        {
            perturbation = PerturbationSpec.Parse(Perturb ?? "null");
        }
        catch (ArgumentException e)
        {
            problems.Add(new("perturb", ForecastSpecRules.WithoutParameter(e)));
        }

        string? compression = null;
        try
        {
            compression = ZarrCompressor.Parse(Compression ?? "null").ToString();
        }
        catch (ArgumentException e)
        {
            problems.Add(new("compression", ForecastSpecRules.WithoutParameter(e)));
        }

        if (ParamPerturbation is not null)
        {
            try
            {
                _ = GraphCast.Model.Perturbations.ParameterPerturbation.Parse(ParamPerturbation);
            }
            catch (ArgumentException e)
            {
                problems.Add(new("paramPerturbation", ForecastSpecRules.WithoutParameter(e)));
            }
        }

        // A region without a model runs on random weights of seed 0: written out, so that the spec (and its hash) is the
        // same whichever front end submitted it.
        var regions = (Regions ?? []).Select(r => r.Trim()).Where(r => r.Length > 0).Select(r => r.Contains('=', StringComparison.Ordinal) ? r : r + "=seed:0").ToArray();
        var initTime = InitTime ?? DefaultInitTime;
        var spec = new ForecastSpec
        {
            RunId = runId,
            Model = Model ?? string.Empty,
            InitialCondition = Init ?? string.Empty,
            InitTime = initTime.Kind == DateTimeKind.Local ? initTime.ToUniversalTime() : initTime,
            Steps = Steps,
            Members = Members,
            Perturbation = perturbation,
            Seed = Seed,
            CheckpointEvery = CheckpointEvery,
            Compression = compression ?? "none",
            OutputVariables = (Variables ?? []).Select(v => v.Trim()).Where(v => v.Length > 0).ToArray(),
            Regions = regions.Length == 0 ? null : regions,
            ParamPerturbation = ParamPerturbation,
        };
        problems.AddRange(ForecastSpecRules.Problems(spec).Where(p => p.Field != "compression" || compression is not null));
        return problems.Count == 0 ? (spec, problems) : (null, problems);
    }
}
