namespace GraphCast.Orleans.Api;

/// <summary>The HTTP API (section <c>Api</c>), served from a silo process on its own port when <see cref="Enabled"/>.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Serve the API from this silo (off by default).</summary>
    public bool Enabled { get; set; }

    /// <summary>HTTP port of the API on every address of the host (default 8080).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Runs that may be active at once (the cluster's <c>active/</c> index); a submit beyond it is 429 with Retry-After. 0: no limit.</summary>
    public int MaxActiveRuns { get; set; }

    /// <summary>What Retry-After says on a 429 or 503, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>The largest request body accepted, in bytes (a bigger one is 413).</summary>
    public long MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>The most float values one step fetch returns as JSON (ask for fewer variables beyond it).</summary>
    public int MaxStepValues { get; set; } = 4_000_000;

    /// <summary>How often a server-sent event stream looks at its run's progress.</summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>API keys, each stored as the SHA-256 of the key (lower-case hex) with its role: never the key itself.</summary>
    public IList<ApiKeyOptions> Keys { get; } = [];

    /// <summary>Bearer JWTs (e.g. Entra ID); off unless <see cref="ApiJwtOptions.Authority"/> is set.</summary>
    public ApiJwtOptions Jwt { get; set; } = new();
}
