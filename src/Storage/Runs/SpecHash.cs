using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GraphCast.Orleans.Abstractions;

namespace GraphCast.Orleans.Storage.Runs;

/// <summary>A run spec's canonical JSON and its SHA-256: recorded in checkpoints so a resume under another spec is refused.</summary>
public static class SpecHash
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static string Canonical(ForecastSpec spec) => JsonSerializer.Serialize(spec, Json);

    public static string Of(ForecastSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(spec))));
}
