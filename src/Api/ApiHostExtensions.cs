using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>Registration of the HTTP API in a silo host: the <c>Api</c> section, validated, and the endpoint when <c>Api:Enabled</c>.</summary>
public static class ApiHostExtensions
{
    /// <summary>
    /// Validates the <c>Api</c> section (a bad setting stops the host with one line naming it) and, when <c>Api:Enabled</c>,
    /// serves the API on <c>Api:Port</c>. Call it before the silo is added, so the API answers 503 while the silo joins.
    /// </summary>
    public static IHostApplicationBuilder AddGraphCastApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(ApiOptions.SectionName);
        var api = new ApiOptions();
        section.Bind(api);
        var validation = new ApiOptionsValidator().Validate(null, api);
        if (api.Enabled && validation.Failed)
        {
            throw new OptionsValidationException(ApiOptions.SectionName, typeof(ApiOptions), validation.Failures);
        }

        if (api.Enabled)
        {
            builder.Services.AddSingleton(Options.Create(api));
            builder.Services.AddHostedService<ApiEndpoint>();
        }

        return builder;
    }
}
