using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// How <c>--json</c> prints: indented JSON with snake_case keys, enums as their names, times in ISO 8601 (UTC), non-ASCII
/// text as is; a number that is not finite is written as null (JSON has no NaN).
/// </summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(TextWriter output, object value)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(JsonSerializer.Serialize(value, Options));
    }

    /// <summary>A number, or null when it is NaN or infinite.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
