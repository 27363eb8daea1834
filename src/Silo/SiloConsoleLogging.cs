using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Silo;

/// <summary>
/// A silo's console log: one line per entry (simple, with a timestamp), or one JSON object per entry when
/// <c>Logging:Console:FormatterName=json</c> — with its scopes (a member's run id and member index) as fields, UTC
/// timestamps, for a log collector to index.
/// </summary>
public static class SiloConsoleLogging
{
    /// <summary>Adds the console logger <paramref name="configuration"/> asks for (<c>Logging:Console:FormatterName</c>: simple or json).</summary>
    public static ILoggingBuilder AddGraphCastConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.Equals(configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase))
        {
            return logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }

        return logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
    }
}
