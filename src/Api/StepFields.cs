using System.Text.RegularExpressions;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>
/// <c>GET /v1/runs/{id}/members/{m}/steps/{s}?variables=a,b</c>: one committed step of one member as JSON, read from the
/// run's forecast store (its grid, levels and each variable's values in C order [level,] lat, lon). Variable names are
/// checked before storage is read; a step a member has not committed is 404; more than <c>Api:MaxStepValues</c> values is
/// refused with the fix (ask for fewer variables).
/// </summary>
internal sealed partial class StepFields(RunsApi runs, IBlobStore blobs, IOptions<ApiOptions> options)
{
    public async Task<IResult> ReadAsync(string id, int member, int step, string? variables, CancellationToken cancellationToken)
    {
        var names = (variables ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.FirstOrDefault(n => !VariableName().IsMatch(n)) is { } bad)
        {
            return ApiProblems.Invalid("variables", $"'{(bad.Length > 64 ? bad[..64] + "…" : bad)}' is not a variable name: give names such as 2m_temperature,geopotential (letters, digits and '_'), comma-separated.");
        }

        var (_, status) = await runs.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return RunsApi.NotFound(id);
        }

        if (member < 0 || member >= status.Spec.Members)
        {
            return ApiProblems.NotFound("member", $"Run '{id}' has members 0 to {status.Spec.Members - 1}, not {member}.");
        }

        if (step < 1 || step > status.Spec.Steps)
        {
            return ApiProblems.NotFound("step", $"Run '{id}' has steps 1 to {status.Spec.Steps}, not {step}.");
        }

        var progress = status.Members[member];
        if (progress.Step < step && progress.State != MemberState.Completed)
        {
            return ApiProblems.NotFound("step", $"Member {member} of run '{id}' has committed {progress.Step} step(s); step {step} is not written yet: follow GET /v1/runs/{id}/events to learn when it is.");
        }

        var reader = await ZarrForecastReader.OpenForRunAsync(blobs, id, cancellationToken).ConfigureAwait(false);
        var layout = reader.Layout;
        var known = layout.Variables.Select(v => v.Name).ToArray();
        if (names.Length == 0)
        {
            names = known;
        }
        else if (names.FirstOrDefault(n => !known.Contains(n, StringComparer.Ordinal)) is { } unknown)
        {
            return ApiProblems.Invalid("variables", $"Run '{id}' has no output variable '{unknown}'; it has {string.Join(", ", known)}.");
        }

        var total = names.Sum(n => (long)layout.ChunkLength(layout.Variable(n)));
        if (total > options.Value.MaxStepValues)
        {
            return ApiProblems.Invalid("variables", $"These variables hold {total} values at one step, over Api:MaxStepValues ({options.Value.MaxStepValues}): ask for fewer with ?variables=a,b, or export the run (graphcast export RUN --format netcdf).");
        }

        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var variable = layout.Variable(name);
            // The store indexes lead times from 0; the API's steps count from 1 (step 1 is the first 6 h).
            var values = await reader.ReadChunkAsync(name, member, step - 1, cancellationToken).ConfigureAwait(false);
            fields[name] = new
            {
                units = variable.Units,
                dimensions = variable.HasLevels ? new[] { "level", "lat", "lon" } : ["lat", "lon"],
                shape = variable.HasLevels ? new[] { layout.Levels.Count, layout.Latitudes.Count, layout.Longitudes.Count } : [layout.Latitudes.Count, layout.Longitudes.Count],
                values,
            };
        }

        var leadHours = layout.LeadTimesHours[step - 1];
        return Results.Ok(new
        {
            runId = id,
            member,
            step,
            leadTimeHours = leadHours,
            validTime = layout.InitTime.AddHours(leadHours),
            levels = layout.Levels,
            latitudes = layout.Latitudes,
            longitudes = layout.Longitudes,
            variables = fields,
        });
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex VariableName();
}
