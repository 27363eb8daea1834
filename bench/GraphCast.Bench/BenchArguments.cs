using System.Globalization;

namespace GraphCast.Bench;

/// <summary>
/// The benchmark's command line: <c>[model|graphs|all] [--repeats N] [--presets a,b] [--graph-presets a,b] [--markdown FILE]
/// [--graph-cache DIR] [--chunk-rows N] [--no-structural-cache]</c>, or <c>engine [--preset NAME] [--members N] [--steps N]</c>
/// (the engine's overhead against a bare loop), or <c>codecs --run ID [--output DIR]</c> (chunk codecs on a run's forecast), or <c>regions [--preset NAME] --region REGION</c> (a nest's step against its parent's), plus the internal <c>--single forward|graph …</c> of a child run.
/// </summary>
internal sealed record BenchArguments
{
    public static readonly string[] DefaultForwardPresets = ["demo", "graphcast-small"];

    public static readonly string[] DefaultGraphPresets = ["tiny", "demo", "graphcast-small", "graphcast-0.25deg", "graphcast-operational"];

    public string Mode { get; init; } = "all";

    public int Repeats { get; init; } = 3;

    public IReadOnlyList<string> ForwardPresets { get; init; } = DefaultForwardPresets;

    public IReadOnlyList<string> GraphPresets { get; init; } = DefaultGraphPresets;

    public IReadOnlyList<string> Dtypes { get; init; } = ["f32", "bf16"];

    public string? Markdown { get; init; }

    /// <summary>Members of the engine benchmark's ensemble.</summary>
    public int Members { get; init; } = 4;

    /// <summary>Steps of the engine benchmark's ensemble.</summary>
    public int Steps { get; init; } = 8;

    /// <summary>Keep structural terms between steps (the default); <c>--no-structural-cache</c> recomputes them every step.</summary>
    public bool CacheStructuralTerms { get; init; } = true;

    /// <summary>Rows per chunk of the network's passes (null: the predictor's default for the device).</summary>
    public long? ChunkRows { get; init; }

    /// <summary>Graph cache of the forward runs (null: the model's default cache, so graphs are built once per machine).</summary>
    public string? GraphCache { get; init; }

    /// <summary>The regions benchmark's region (<c>NAME:LAT0:LAT1:LON0:LON1[:RES[:STEP[:BOUNDARY]]]</c>).</summary>
    public string? Region { get; init; }

    /// <summary>The codecs benchmark's run id (its forecast.zarr under <see cref="Output"/>/runs/ID).</summary>
    public string? Run { get; init; }

    /// <summary>The codecs benchmark's storage folder (graphcast forecast --output).</summary>
    public string Output { get; init; } = "graphcast-output";

    // Internal: one configuration in a child process.
    public string? Single { get; init; }

    public string? Preset { get; init; }

    public string? Dtype { get; init; }

    public string? Phase { get; init; }

    public string? Result { get; init; }

    public string? Increments { get; init; }

    /// <summary>How long the api benchmark sends status requests, in seconds.</summary>
    public int Seconds { get; init; } = 10;

    /// <summary>Requests the api benchmark keeps in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>The arguments as given, for the report's "command" line.</summary>
    public string CommandLine { get; init; } = "";

    public static BenchArguments Parse(string[] args)
    {
        var parsed = new BenchArguments { CommandLine = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            IReadOnlyList<string> List() => Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            parsed = a switch
            {
                "model" or "graphs" or "all" or "engine" or "codecs" or "telemetry" or "api" or "regions" => parsed with { Mode = a },
                "--seconds" => parsed with { Seconds = PositiveInt(Value(), a) },
                "--concurrency" => parsed with { Concurrency = PositiveInt(Value(), a) },
                "--region" => parsed with { Region = Value() },
                "--run" => parsed with { Run = Value() },
                "--output" => parsed with { Output = Value() },
                "--members" => parsed with { Members = PositiveInt(Value(), a) },
                "--steps" => parsed with { Steps = PositiveInt(Value(), a) },
                "--repeats" => parsed with { Repeats = PositiveInt(Value(), a) },
                "--presets" => parsed with { ForwardPresets = List() },
                "--graph-presets" => parsed with { GraphPresets = List() },
                "--dtypes" => parsed with { Dtypes = List() },
                "--markdown" => parsed with { Markdown = Value() },
                "--graph-cache" => parsed with { GraphCache = Value() },
                "--chunk-rows" => parsed with { ChunkRows = PositiveInt(Value(), a) },
                "--no-structural-cache" => parsed with { CacheStructuralTerms = false },
                "--single" => parsed with { Single = Value() },
                "--preset" => parsed with { Preset = Value() },
                "--dtype" => parsed with { Dtype = Value() },
                "--phase" => parsed with { Phase = Value() },
                "--result" => parsed with { Result = Value() },
                "--increments" => parsed with { Increments = Value() },
                _ => throw new ArgumentException($"Unknown argument '{a}'. Usage: [model|graphs|all] [--repeats N] [--presets a,b] [--graph-presets a,b] [--dtypes f32,bf16] [--markdown FILE] [--graph-cache DIR] [--chunk-rows N] [--no-structural-cache], or engine [--preset NAME] [--members N] [--steps N], or codecs --run ID [--output DIR], or api [--preset NAME] [--members N] [--steps N] [--seconds N] [--concurrency N], or regions [--preset NAME] --region REGION [--repeats N], or telemetry [--preset NAME]."),
            };
        }

        if (parsed.Dtypes.Any(d => d is not ("f32" or "bf16")))
        {
            throw new ArgumentException($"--dtypes takes f32 and/or bf16, not '{string.Join(",", parsed.Dtypes)}'.");
        }

        return parsed;
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} takes a positive whole number, not '{text}'.");
}
