using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>
/// The HTTP API's host inside a silo process: Kestrel on <c>Api:Port</c>, the <c>/v1</c> routes, the OpenAPI document,
/// authentication (API keys, bearer JWTs) and the two roles. It starts before the silo joins (answering 503 until the silo
/// is ready) and stops after it has left; it reaches runs through the silo's grain factory and storage.
/// </summary>
internal sealed partial class ApiEndpoint(IServiceProvider silo, IOptions<ApiOptions> options, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<ApiEndpoint>();
    private WebApplication? _app;

    /// <summary>The JSON of requests and responses: camelCase, enums as names, NaN written as a name (a chunk not yet written).</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var api = options.Value;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(ApiEndpoint).Assembly.GetName().Name });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Any, api.Port);
            k.Limits.MaxRequestBodySize = api.MaxRequestBytes;
            k.AddServerHeader = false;
        });
        // The silo's loggers (its console, JSON or not); requests are logged below without any header, so no key or token.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(silo.GetRequiredService<IGrainFactory>());
        builder.Services.AddSingleton(silo.GetRequiredService<RunManifestStore>());
        builder.Services.AddSingleton(silo.GetRequiredService<IBlobStore>());
        builder.Services.AddSingleton(new SiloReadiness(silo.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddSingleton(Json);
        builder.Services.AddSingleton<RunsApi>();
        builder.Services.AddSingleton<RunEventStream>();
        builder.Services.AddSingleton<StepFields>();
        builder.Services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c => Explain(c.HttpContext, c.ProblemDetails));
        builder.Services.AddOpenApi("v1");
        AddAuthentication(builder.Services, api);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiRoles.Read, p => p.RequireAuthenticatedUser().RequireRole(ApiRoles.Read))
            .AddPolicy(ApiRoles.Submit, p => p.RequireAuthenticatedUser().RequireRole(ApiRoles.Submit));

        var app = builder.Build();
        app.Use(LogAsync);
        app.UseStatusCodePages();
        var readiness = app.Services.GetRequiredService<SiloReadiness>();
        app.Use(async (context, next) =>
        {
            if (!readiness.IsReady && !context.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal))
            {
                await ApiProblems.Unavailable(context, api.RetryAfterSeconds, readiness.Reason).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        Map(app, api);
        _app = app;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        LogServing(_logger, api.Port);
    }

    private static void Map(WebApplication app, ApiOptions api)
    {
        app.MapGet("/healthz", (SiloReadiness readiness, HttpContext context) => readiness.IsReady
            ? Results.Text("ready\n")
            : ApiProblems.Unavailable(context, api.RetryAfterSeconds, readiness.Reason)).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(ApiRoles.Read);

        var v1 = app.MapGroup("/v1/runs").RequireAuthorization(ApiRoles.Read).WithTags("runs");
        v1.MapPost("/", (RunsApi runs, HttpContext context) => runs.SubmitAsync(context))
            .RequireAuthorization(ApiRoles.Submit)
            .Accepts<ForecastRequest>("application/json")
            .Produces<RunView>(StatusCodes.Status201Created)
            .Produces<RunView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Submit a run (the spec of graphcast forecast); the same spec again returns the run, another spec for its id is 409.");
        v1.MapGet("/", (RunsApi runs, CancellationToken cancellationToken) => runs.ListAsync(cancellationToken))
            .Produces<RunView[]>()
            .WithSummary("Every run, newest first (without per-member progress).");
        v1.MapGet("/{id}", (RunsApi runs, string id, CancellationToken cancellationToken) =>
                RunsApi.CheckRunId(id) is { } bad ? Task.FromResult(bad) : runs.StatusAsync(id, cancellationToken))
            .Produces<RunView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A run's state and each member's committed step.");
        v1.MapPost("/{id}/cancel", (RunsApi runs, string id, CancellationToken cancellationToken) =>
                RunsApi.CheckRunId(id) is { } bad ? Task.FromResult(bad) : runs.CancelAsync(id, cancellationToken))
            .RequireAuthorization(ApiRoles.Submit)
            .Produces<RunView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Cancel a run: members stop after their step in flight; the run can be resumed.");
        v1.MapPost("/{id}/resume", (RunsApi runs, string id, CancellationToken cancellationToken) =>
                RunsApi.CheckRunId(id) is { } bad ? Task.FromResult(bad) : runs.ResumeAsync(id, cancellationToken))
            .RequireAuthorization(ApiRoles.Submit)
            .Produces<RunView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Resume a cancelled or failed run from its members' latest checkpoints.");
        v1.MapGet("/{id}/events", async (RunEventStream events, string id, HttpContext context) =>
                RunsApi.CheckRunId(id) ?? await events.StreamAsync(context, id).ConfigureAwait(false) ?? Results.Empty)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Server-sent events: 'step' per (member, step) as they commit, then 'run' when it has finished; reconnect with Last-Event-ID.");
        v1.MapGet("/{id}/members/{member:int}/steps/{step:int}", (StepFields fields, string id, int member, int step, string? variables, CancellationToken cancellationToken) =>
                RunsApi.CheckRunId(id) is { } bad ? Task.FromResult(bad) : fields.ReadAsync(id, member, step, variables, cancellationToken))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One committed step of one member as JSON: grid, levels and the values of each variable (?variables=a,b).");
    }

    private static void AddAuthentication(IServiceCollection services, ApiOptions api)
    {
        var jwt = !string.IsNullOrEmpty(api.Jwt.Authority);
        var authentication = services.AddAuthentication(ApiRoles.Scheme)
            .AddPolicyScheme(ApiRoles.Scheme, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                jwt && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (!jwt)
        {
            return;
        }

        authentication.AddJwtBearer(o =>
        {
            o.Authority = api.Jwt.Authority;
            o.Audience = api.Jwt.Audience;
            if (!string.IsNullOrEmpty(api.Jwt.MetadataAddress))
            {
                o.MetadataAddress = api.Jwt.MetadataAddress;
            }

            o.RequireHttpsMetadata = api.Jwt.RequireHttpsMetadata;
            o.MapInboundClaims = false;
            o.TokenValidationParameters.RoleClaimType = "roles";
            o.TokenValidationParameters.NameClaimType = "sub";
            o.Events = new JwtBearerEvents
            {
                // Entra ID app roles arrive in 'roles': the configured ones grant the API's read and submit roles.
                OnTokenValidated = context =>
                {
                    if (context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        var roles = identity.FindAll(identity.RoleClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
                        if (roles.Contains(api.Jwt.SubmitRole))
                        {
                            identity.AddClaim(new Claim(identity.RoleClaimType, ApiRoles.Submit));
                            identity.AddClaim(new Claim(identity.RoleClaimType, ApiRoles.Read));
                        }
                        else if (roles.Contains(api.Jwt.ReadRole))
                        {
                            identity.AddClaim(new Claim(identity.RoleClaimType, ApiRoles.Read));
                        }
                    }

                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>The detail of the problem documents ASP.NET Core writes itself (401, 403, 404 of an unknown route, 405).</summary>
    private static void Explain(HttpContext context, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        switch (problem.Status)
        {
            case StatusCodes.Status401Unauthorized:
                problem.Detail ??= $"This route needs credentials: an API key in the {ApiRoles.KeyHeader} header, or a bearer token in Authorization. A key or token that was sent is not valid; ask the operator for one.";
                problem.Extensions.TryAdd("field", context.Request.Headers.ContainsKey("Authorization") ? "Authorization" : ApiRoles.KeyHeader);
                break;
            case StatusCodes.Status403Forbidden:
                problem.Detail ??= $"Your credentials lack the role this route needs: reading needs the {ApiRoles.Read} role, submit, cancel and resume need the {ApiRoles.Submit} role (for tokens, the app roles of Api:Jwt:ReadRole and Api:Jwt:SubmitRole).";
                problem.Extensions.TryAdd("field", "role");
                break;
            case StatusCodes.Status404NotFound:
                problem.Detail ??= $"No route {context.Request.Path}: the API's routes are under /v1/runs (the OpenAPI document is /openapi/v1.json).";
                problem.Extensions.TryAdd("field", "path");
                break;
            case StatusCodes.Status405MethodNotAllowed:
                problem.Detail ??= $"{context.Request.Method} is not allowed on {context.Request.Path}: see /openapi/v1.json for the methods of each route.";
                problem.Extensions.TryAdd("field", "method");
                break;
            default:
                break;
        }
    }

    private async Task LogAsync(HttpContext context, RequestDelegate next)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            LogRequest(_logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, context.User.Identity?.Name ?? "-", watch.Elapsed.TotalMilliseconds);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(json);
        json.MakeReadOnly(populateMissingResolver: true);
        return json;
    }

    private static void Configure(JsonSerializerOptions json)
    {
        json.Converters.Add(new JsonStringEnumConverter());
        json.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        json.PropertyNameCaseInsensitive = false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP API: http://*:{Port}/v1/runs (OpenAPI: /openapi/v1.json)")]
    private static partial void LogServing(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {Status} {Caller} {Milliseconds:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, string caller, double milliseconds);
}
