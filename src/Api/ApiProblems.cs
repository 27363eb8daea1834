using System.Globalization;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.AspNetCore.Http;

namespace GraphCast.Orleans.Api;

/// <summary>
/// The API's RFC 9457 problem documents: every 4xx and 503 names what was wrong (the <c>field</c> extension, and
/// <c>errors</c> by field for a refused spec) and says the fix in <c>detail</c>.
/// </summary>
internal static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    /// <summary>400: one field is wrong.</summary>
    public static IResult Invalid(string field, string detail) =>
        Invalid([new ForecastSpecProblem(field, detail)]);

    /// <summary>400: the fields of <paramref name="problems"/> are wrong; the detail is the first one's message.</summary>
    public static IResult Invalid(IReadOnlyList<ForecastSpecProblem> problems) =>
        Results.Problem(
            detail: problems[0].Message,
            statusCode: StatusCodes.Status400BadRequest,
            title: "The request is invalid",
            extensions: new Dictionary<string, object?>
            {
                ["field"] = problems[0].Field,
                ["errors"] = problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
            });

    public static IResult NotFound(string field, string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found", extensions: Field(field));

    public static IResult Conflict(string runId) =>
        Results.Problem(
            detail: $"Run '{runId}' already exists with a different spec. Submit it under another runId, or POST /v1/runs/{runId}/resume to continue the existing run.",
            statusCode: StatusCodes.Status409Conflict,
            title: "The run exists with another spec",
            extensions: Field("runId"));

    public static IResult TooLarge(long limit) =>
        Results.Problem(
            detail: string.Create(CultureInfo.InvariantCulture, $"The request body is over Api:MaxRequestBytes ({limit} bytes): a run spec is a few hundred bytes; send only its fields."),
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request body is too large",
            extensions: Field("body"));

    /// <summary>429 with Retry-After: the cluster runs <paramref name="active"/> runs, its limit.</summary>
    public static IResult TooManyRuns(HttpContext context, int active, int limit, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            detail: string.Create(CultureInfo.InvariantCulture, $"The cluster runs {active} runs, its limit (Api:MaxActiveRuns = {limit}): submit again after Retry-After seconds, or cancel a run."),
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many active runs",
            extensions: Field("runId"));
    }

    /// <summary>503 with Retry-After: the silo serving the API has not joined its cluster yet (or is leaving it).</summary>
    public static IResult Unavailable(HttpContext context, int retryAfterSeconds, string detail)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "No silo is ready", extensions: Field("silo"));
    }

    private static Dictionary<string, object?> Field(string field) => new() { ["field"] = field };
}
