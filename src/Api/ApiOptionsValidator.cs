using System.Globalization;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>Validates <see cref="ApiOptions"/> when the silo is configured: one message per setting, naming it and the fix.</summary>
public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Api:Port {options.Port} must be a TCP port (1 to 65535).");
        }

        if (options.MaxActiveRuns < 0)
        {
            failures.Add($"Api:MaxActiveRuns {options.MaxActiveRuns} must be 0 (no limit) or more.");
        }

        if (options.RetryAfterSeconds < 1)
        {
            failures.Add($"Api:RetryAfterSeconds {options.RetryAfterSeconds} must be at least 1.");
        }

        if (options.MaxRequestBytes < 1024)
        {
            failures.Add($"Api:MaxRequestBytes {options.MaxRequestBytes} must be at least 1024.");
        }

        if (options.MaxStepValues < 1)
        {
            failures.Add($"Api:MaxStepValues {options.MaxStepValues} must be at least 1.");
        }

        if (options.EventPollInterval <= TimeSpan.Zero)
        {
            failures.Add($"Api:EventPollInterval {options.EventPollInterval} must be positive.");
        }

        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Api:Keys:{i}");
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                failures.Add($"{at}:Name is empty: name who holds the key.");
            }

            if (key.Sha256.Length != 64 || !key.Sha256.All(char.IsAsciiHexDigit))
            {
                failures.Add($"{at}:Sha256 must be the SHA-256 of the key as 64 hex digits (printf %s \"$KEY\" | sha256sum), never the key itself.");
            }

            if (key.Role is not (ApiRoles.Read or ApiRoles.Submit))
            {
                failures.Add($"{at}:Role '{key.Role}' must be '{ApiRoles.Read}' or '{ApiRoles.Submit}'.");
            }
        }

        if (!string.IsNullOrEmpty(options.Jwt.Authority) && string.IsNullOrEmpty(options.Jwt.Audience))
        {
            failures.Add("Api:Jwt:Audience is empty: name the audience tokens must be for (the API's application id URI or client id).");
        }

        if (options.Enabled && options.Keys.Count == 0 && string.IsNullOrEmpty(options.Jwt.Authority))
        {
            failures.Add("Api:Enabled is true but no caller can authenticate: add Api:Keys (a name, the key's SHA-256 and a role) or Api:Jwt:Authority and Audience.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
