using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GraphCast.Orleans.Api.Tests;

/// <summary>
/// Bearer JWTs (<c>Api:Jwt</c>): tokens of the configured issuer and audience are accepted, their app roles
/// (<c>GraphCast.Read</c>, <c>GraphCast.Submit</c>) map onto the API's roles, and a token for another audience, expired or
/// signed by another key is 401. A local HTTP listener stands in for the issuer's OpenID metadata and signing keys.
/// </summary>
public sealed class BearerTokenTests : IAsyncLifetime
{
    private const string Audience = "api://graphcast-test";
    private readonly RSA _key = RSA.Create(2048);
    private readonly HttpListener _issuer = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _issuerPort = GraphCast.Orleans.Silo.SiloHostExtensions.FreePort();
    private Task? _serving;
    private ApiSilo _silo = null!;

    private string Issuer => $"http://127.0.0.1:{_issuerPort}/tenant/v2.0";

    public async Task InitializeAsync()
    {
        _issuer.Prefixes.Add($"http://127.0.0.1:{_issuerPort}/");
        _issuer.Start();
        _serving = ServeMetadataAsync();
        _silo = await ApiSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Api:Jwt:Authority"] = Issuer,
            ["Api:Jwt:Audience"] = Audience,
            ["Api:Jwt:RequireHttpsMetadata"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _stop.CancelAsync();
        _issuer.Stop();
        await _serving!.ContinueWith(_ => { }, TaskScheduler.Default);
        _issuer.Close();
        _key.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task Tokens_of_the_issuer_grant_their_app_roles_and_other_tokens_are_401()
    {
        using var submitter = Client(Token(_key, Audience, "GraphCast.Submit", DateTime.UtcNow.AddMinutes(10)));
        // Authorized to submit: the spec itself is refused (zero members), so nothing runs.
        await (await submitter.PostJsonAsync("v1/runs", """{"runId": "jwt", "model": "tiny", "members": 0}""")).ProblemAsync(HttpStatusCode.BadRequest, "members");
        Assert.Equal(HttpStatusCode.OK, (await submitter.GetAsync("v1/runs")).StatusCode);

        using var reader = Client(Token(_key, Audience, "GraphCast.Read", DateTime.UtcNow.AddMinutes(10)));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("v1/runs")).StatusCode);
        await (await reader.PostJsonAsync("v1/runs", """{"runId": "jwt", "model": "tiny"}""")).ProblemAsync(HttpStatusCode.Forbidden, "role");

        using var roleless = Client(Token(_key, Audience, "Something.Else", DateTime.UtcNow.AddMinutes(10)));
        await (await roleless.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Forbidden, "role");

        using var otherAudience = Client(Token(_key, "api://someone-else", "GraphCast.Submit", DateTime.UtcNow.AddMinutes(10)));
        await (await otherAudience.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Unauthorized, "Authorization");

        using var expired = Client(Token(_key, Audience, "GraphCast.Submit", DateTime.UtcNow.AddMinutes(-10)));
        await (await expired.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Unauthorized, "Authorization");

        using var forged = RSA.Create(2048);
        using var forger = Client(Token(forged, Audience, "GraphCast.Submit", DateTime.UtcNow.AddMinutes(10)));
        await (await forger.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Unauthorized, "Authorization");
        Assert.False(Directory.Exists(Path.Combine(_silo.Storage.FullName, "runs")));
    }

    private HttpClient Client(string token)
    {
        var client = _silo.Client(key: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private string Token(RSA key, string audience, string role, DateTime expires) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "test-user"), new Claim("roles", role)]),
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = expires.AddMinutes(-30),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });

    /// <summary>The issuer's <c>/.well-known/openid-configuration</c> and its key set (the public half of <see cref="_key"/>).</summary>
    private async Task ServeMetadataAsync()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", kid = "test-key", alg = "RS256", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
        var metadata = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _issuer.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            var body = path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal) ? metadata : path.EndsWith("/keys", StringComparison.Ordinal) ? jwks : null;
            context.Response.StatusCode = body is null ? 404 : 200;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(body ?? "{}");
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
