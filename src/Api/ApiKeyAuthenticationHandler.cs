using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header against the SHA-256 hashes of <c>Api:Keys</c> (compared in constant time): the
/// caller gets the key's name and role. The key itself is never stored, compared as text or logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<ApiOptions> api) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "ApiKey";

    private readonly (string Name, byte[] Hash, string Role)[] _keys =
        api.Value.Keys.Select(k => (k.Name, Convert.FromHexString(k.Sha256), k.Role)).ToArray();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiRoles.KeyHeader, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(values[0]!));
        foreach (var (name, expected, role) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                var identity = new ClaimsIdentity(
                    [new Claim(ClaimTypes.Name, name), .. Roles(role).Select(r => new Claim(ClaimTypes.Role, r))], SchemeName);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
            }
        }

        return Task.FromResult(AuthenticateResult.Fail("The API key matches none of Api:Keys."));
    }

    /// <summary>The roles a key's role grants: submit includes read.</summary>
    private static string[] Roles(string role) => role == ApiRoles.Submit ? [ApiRoles.Submit, ApiRoles.Read] : [ApiRoles.Read];
}
