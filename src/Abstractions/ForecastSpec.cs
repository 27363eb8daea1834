namespace GraphCast.Orleans.Abstractions;

/// <summary>
/// What a user submits: which model, from which initial condition and time, how many steps and members, how members are
/// perturbed, the seed, the checkpoint cadence and the output variables. A run id names it; the same id with a different
/// spec is refused.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.ForecastSpec")]
public sealed record ForecastSpec
{
    /// <summary>Run id: letters, digits, '-', '_' and '.', 1–64 characters (it becomes a blob prefix).</summary>
    [Id(0)]
    public required string RunId { get; init; }

    /// <summary>A preset name (<c>tiny</c>, <c>demo</c>, <c>graphcast-small</c>, …) or <c>checkpoint:NAME.npz</c> from the silo's model directory.</summary>
    [Id(1)]
    public required string Model { get; init; }

    /// <summary>
    /// <c>analytic</c> (the Jablonowski–Williamson baroclinic-wave state), or <c>prepared:sha256:{hex}</c>: frames read from a
    /// dataset and stored as <c>runs/{runId}/initial.safetensors</c>, named by the SHA-256 of that blob.
    /// </summary>
    [Id(2)]
    public string InitialCondition { get; init; } = "analytic";

    /// <summary>Valid time (UTC) of the newest input frame.</summary>
    [Id(3)]
    public required DateTime InitTime { get; init; }

    [Id(4)]
    public required int Steps { get; init; }

    [Id(5)]
    public required int Members { get; init; }

    [Id(6)]
    public PerturbationSpec Perturbation { get; init; } = PerturbationSpec.None;

    /// <summary>Run seed: member m's random stream depends only on (seed, m).</summary>
    [Id(7)]
    public long Seed { get; init; }

    /// <summary>Write a checkpoint every K steps (and always after the last).</summary>
    [Id(8)]
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Output variables (model target names); empty means all targets.</summary>
    [Id(9)]
    public IReadOnlyList<string> OutputVariables { get; init; } = [];

    /// <summary>Member 0 is the unperturbed control.</summary>
    [Id(10)]
    public bool UnperturbedControl { get; init; } = true;

    /// <summary>
    /// The lossless codec of the forecast's Zarr chunks: <c>none</c>, <c>zlib[:LEVEL]</c> or <c>zstd[:LEVEL]</c>; null is
    /// <c>none</c> (what runs submitted before compression existed have). The CLI submits its <c>--compression</c> default.
    /// </summary>
    [Id(11)]
    public string? Compression { get; init; }

    /// <summary>
    /// Forecast regions, each <c>NAME:LAT0:LAT1:LON0:LON1:RES:STEP:BOUNDARY=MODEL</c> (MODEL <c>seed:N</c>, a weights file or
    /// <c>none</c> for a cut-out): a <c>ForecastRegion</c> grain per (region, member) nested in each member. Null (no regions)
    /// is left out of the canonical JSON, so the specs and spec hashes of runs without regions are what they were.
    /// </summary>
    [Id(12)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Regions { get; init; }

    /// <summary>The names of the <see cref="Regions"/> (the text before each one's first ':').</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> RegionNames => (Regions ?? []).Select(r => r[..Math.Max(0, r.IndexOf(':', StringComparison.Ordinal))]).ToArray();

    /// <summary>
    /// Perturbed parameters, <c>gaussian:SCALE[:PATTERN]</c>: each member (but an unperturbed control) computes with its own
    /// copy of the model's parameters plus seeded noise. Null (shared parameters) is left out of the canonical JSON, so the
    /// specs and spec hashes of runs without it are what they were.
    /// </summary>
    [Id(13)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ParamPerturbation { get; init; }

    public bool Equals(ForecastSpec? other) =>
        other is not null && RunId == other.RunId && Model == other.Model && InitialCondition == other.InitialCondition &&
        InitTime == other.InitTime && Steps == other.Steps && Members == other.Members && Perturbation == other.Perturbation &&
        Seed == other.Seed && CheckpointEvery == other.CheckpointEvery && OutputVariables.SequenceEqual(other.OutputVariables) &&
        UnperturbedControl == other.UnperturbedControl && Compression == other.Compression &&
        (Regions ?? []).SequenceEqual(other.Regions ?? []) &&
        ParamPerturbation == other.ParamPerturbation;

    public override int GetHashCode() => HashCode.Combine(RunId, Model, InitTime, Steps, Members, Seed);
}
