using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>
/// The run routes' handlers: submit (idempotent on run id, 409 for another spec, 429 at the active-run limit), list, status,
/// cancel and resume, through the run grains; run ids checked before any grain or blob is touched.
/// </summary>
internal sealed class RunsApi(IGrainFactory grains, RunManifestStore manifests, IOptions<ApiOptions> options, JsonSerializerOptions json)
{
    public async Task<IResult> SubmitAsync(HttpContext context)
    {
        var (request, problem) = await RunSubmission.ReadAsync(context, options.Value.MaxRequestBytes, json).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var runId = request!.RunId ?? $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x1000, 0xffff):x4}";
        var (spec, problems) = request.ToSpec(runId);
        if (problems.Count > 0)
        {
            return ApiProblems.Invalid(problems);
        }

        if (!(spec!.InitialCondition == "analytic" || spec.InitialCondition.StartsWith("prepared:", StringComparison.Ordinal)))
        {
            return ApiProblems.Invalid("init", $"init '{spec.InitialCondition}' is not 'analytic' or a prepared initial condition: the API does not read files; 'graphcast forecast --init FILE' prepares one from a file.");
        }

        // A region's weights file would be a path on the silo: like init, the API reads no files.
        if ((spec.Regions ?? []).FirstOrDefault(r => r[(r.IndexOf('=', StringComparison.Ordinal) + 1)..] is var model && model != "none" && !model.StartsWith("seed:", StringComparison.Ordinal)) is { } file)
        {
            return ApiProblems.Invalid("regions", $"Region '{file}' names a weights file: the API does not read files; give =seed:N (random weights) or =none (a cut-out), or submit with 'graphcast forecast --region-model'.");
        }

        var run = grains.GetGrain<IForecastRunGrain>(runId);
        var cancellationToken = context.RequestAborted;
        if (await run.GetStatusAsync(cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing.Spec == spec ? Results.Ok(RunView.From(existing)) : ApiProblems.Conflict(runId);
        }

        if (options.Value.MaxActiveRuns > 0)
        {
            var active = await manifests.ActiveRunsAsync(cancellationToken).ConfigureAwait(false);
            if (active.Count >= options.Value.MaxActiveRuns && !active.Contains(runId, StringComparer.Ordinal))
            {
                return ApiProblems.TooManyRuns(context, active.Count, options.Value.MaxActiveRuns, options.Value.RetryAfterSeconds);
            }
        }

        RunStatus status;
        try
        {
            status = await run.SubmitAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // The checks that need the model (its name, its output variables): the grain's messages, as the CLI prints them.
            if (await run.GetStatusAsync(cancellationToken).ConfigureAwait(false) is { } raced && raced.Spec != spec)
            {
                return ApiProblems.Conflict(runId);
            }

            return ApiProblems.Invalid(FieldOf(e.Message), e.Message);
        }

        return status.Spec == spec
            ? Results.Created($"/v1/runs/{runId}", RunView.From(status))
            : ApiProblems.Conflict(runId);
    }

    public async Task<IResult> ListAsync(CancellationToken cancellationToken) =>
        Results.Ok((await manifests.ListAsync(cancellationToken).ConfigureAwait(false)).Select(s => RunView.From(s, withMembers: false)).ToArray());

    public async Task<IResult> StatusAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken).ConfigureAwait(false) is (_, { } status) ? Results.Ok(RunView.From(status)) : NotFound(id);

    public async Task<IResult> CancelAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken).ConfigureAwait(false) is ({ } run, not null)
            ? Results.Ok(RunView.From(await run.CancelAsync(cancellationToken).ConfigureAwait(false)))
            : NotFound(id);

    public async Task<IResult> ResumeAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken).ConfigureAwait(false) is ({ } run, not null)
            ? Results.Ok(RunView.From(await run.ResumeAsync(cancellationToken).ConfigureAwait(false)))
            : NotFound(id);

    /// <summary>The run grain and its status (null when no such run); call only with a checked id.</summary>
    public async Task<(IForecastRunGrain? Run, RunStatus? Status)> FindAsync(string id, CancellationToken cancellationToken)
    {
        var run = grains.GetGrain<IForecastRunGrain>(id);
        return (run, await run.GetStatusAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A problem document when <paramref name="id"/> is not a run id (a '/', '..', too long, …); null when it is one.</summary>
    public static IResult? CheckRunId(string id)
    {
        try
        {
            RunLayout.ValidateRunId(id);
            return null;
        }
        catch (ArgumentException e)
        {
            return ApiProblems.Invalid("id", e.Message.Replace(" (Parameter 'runId')", string.Empty, StringComparison.Ordinal));
        }
    }

    public static IResult NotFound(string id) =>
        ApiProblems.NotFound("id", $"There is no run '{id}': GET /v1/runs lists the runs, POST /v1/runs submits one.");

    /// <summary>The request field a grain's refusal is about.</summary>
    private static string FieldOf(string message) =>
        message.StartsWith("Parameter perturbation", StringComparison.Ordinal) ? "paramPerturbation"
        : message.Contains("region", StringComparison.OrdinalIgnoreCase) ? "regions"
        : message.StartsWith("Output variable", StringComparison.Ordinal) ? "variables"
        : message.StartsWith("Initial condition", StringComparison.Ordinal) || message.Contains("initial condition", StringComparison.OrdinalIgnoreCase) ? "init"
        : "model";
}
