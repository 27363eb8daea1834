using System.Text;
using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api;

/// <summary>
/// <c>GET /v1/runs/{id}/events</c>: server-sent events, one <c>step</c> event per (member, step) as members commit them, in
/// step order per member, then one <c>run</c> event when the run has finished, and the stream ends. Each event's id is the
/// <see cref="ProgressVector"/> of what the stream has sent, so a client that reconnects with Last-Event-ID gets every event
/// it has not seen, once, replayed from the run's stored progress.
/// </summary>
internal sealed class RunEventStream(RunsApi runs, IOptions<ApiOptions> options, JsonSerializerOptions json)
{
    /// <summary>A comment line this often keeps proxies from closing a quiet stream.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public async Task<IResult?> StreamAsync(HttpContext context, string id)
    {
        var cancellationToken = context.RequestAborted;
        var (run, status) = await runs.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return RunsApi.NotFound(id);
        }

        var sent = new int[status.Spec.Members];
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0 && !ProgressVector.TryParse(lastEventId, status.Spec.Members, status.Spec.Steps, out sent))
        {
            return ApiProblems.Invalid(
                "Last-Event-ID",
                $"Last-Event-ID '{(lastEventId.Length > 64 ? lastEventId[..64] + "…" : lastEventId)}' is not an event id of run '{id}': send back the id of the last event you received, or none to start from the beginning.");
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        var quiet = DateTime.UtcNow;
        try
        {
            while (true)
            {
                var text = new StringBuilder();
                // Step-major across members: a replay sends step 1 of every member before step 2 of any.
                var maxStep = status!.Members.Count == 0 ? 0 : status.Members.Max(m => m.Step);
                for (var step = 1; step <= maxStep; step++)
                {
                    foreach (var member in status.Members)
                    {
                        if (member.Step >= step && sent[member.Member] == step - 1)
                        {
                            sent[member.Member] = step;
                            var data = JsonSerializer.Serialize(new { member = member.Member, step, state = step == member.Step ? member.State : MemberState.Running, silo = member.Silo }, json);
                            text.Append("id: ").Append(ProgressVector.Format(sent)).Append("\nevent: step\ndata: ").Append(data).Append("\n\n");
                        }
                    }
                }

                if (status.IsFinished && status.Members.All(m => sent[m.Member] >= m.Step))
                {
                    var data = JsonSerializer.Serialize(new { runId = id, state = status.State, error = status.Error }, json);
                    text.Append("id: ").Append(ProgressVector.Format(sent)).Append("\nevent: run\ndata: ").Append(data).Append("\n\n");
                    await WriteAsync(response, text, cancellationToken).ConfigureAwait(false);
                    return null;
                }

                if (text.Length == 0 && DateTime.UtcNow - quiet > KeepAlive)
                {
                    text.Append(": keep-alive\n\n");
                }

                if (text.Length > 0)
                {
                    await WriteAsync(response, text, cancellationToken).ConfigureAwait(false);
                    quiet = DateTime.UtcNow;
                }

                await Task.Delay(options.Value.EventPollInterval, cancellationToken).ConfigureAwait(false);
                status = await run!.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: it reconnects with the last id it received.
            return null;
        }
    }

    private static async Task WriteAsync(HttpResponse response, StringBuilder text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
