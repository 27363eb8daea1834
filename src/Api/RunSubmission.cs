using System.Text.Json;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.AspNetCore.Http;

namespace GraphCast.Orleans.Api;

/// <summary>
/// Reads a <c>POST /v1/runs</c> body into a <see cref="ForecastRequest"/>: at most <c>Api:MaxRequestBytes</c>, a JSON object
/// whose fields are all known and of the right type. Anything else is a problem document naming the field, before any
/// grain or storage is touched.
/// </summary>
internal static class RunSubmission
{
    public static async Task<(ForecastRequest? Request, IResult? Problem)> ReadAsync(HttpContext context, long limit, JsonSerializerOptions json)
    {
        if (context.Request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        if (context.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblems.Invalid("body", $"The body is {type}: send the run spec as application/json."));
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.Invalid("body", $"The body is not JSON ({e.Message.Split('.')[0]}): send a JSON object such as {{\"runId\": \"r1\", \"model\": \"tiny\", \"members\": 2, \"steps\": 3}}."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiProblems.Invalid("body", "The body must be a JSON object of run spec fields, e.g. {\"runId\": \"r1\", \"model\": \"tiny\"}."));
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!ForecastRequest.Fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    return (null, ApiProblems.Invalid(
                        property.Name.Length > 64 ? property.Name[..64] + "…" : property.Name,
                        $"Unknown field '{Shown(property.Name)}': a run spec has {string.Join(", ", ForecastRequest.Fields)} (the options of graphcast forecast)."));
                }
            }

            try
            {
                var request = document.RootElement.Deserialize<ForecastRequest>(json)!;
                return (request, null);
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : "body";
                return (null, ApiProblems.Invalid(field, $"Field '{field}' has a value of the wrong type: {Expected(field)}."));
            }
        }
    }

    private static string Shown(string name) => name.Length > 64 ? name[..64] + "…" : name;

    private static string Expected(string field) => field switch
    {
        "members" or "steps" or "checkpointEvery" => "give a whole number, e.g. 4",
        "seed" => "give a whole number, e.g. 0",
        "initTime" => "give a UTC time such as \"2024-06-03T06:00Z\"",
        "variables" => "give a list of variable names, e.g. [\"2m_temperature\"]",
        "regions" => "give a list of regions, e.g. [\"europe:35:70:-10:30:0.5:3h=seed:1\"]",
        _ => "give text, e.g. \"tiny\" for model or \"gaussian:0.05\" for perturb",
    };
}
