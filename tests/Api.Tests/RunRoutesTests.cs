using System.Net;
using System.Text.Json;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using Microsoft.Extensions.DependencyInjection;

namespace GraphCast.Orleans.Api.Tests;

/// <summary>
/// The run routes against a real silo running the tiny preset: submit, idempotent resubmit, 409, status, server-sent events
/// across a reconnect, a step's fields, cancel and resume, and the OpenAPI document.
/// </summary>
public sealed class RunRoutesTests(ApiSiloFixture fixture) : IClassFixture<ApiSiloFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_run_is_submitted_once_followed_across_a_reconnect_without_losing_an_event_and_its_step_fetched()
    {
        using var client = fixture.Silo.Client();
        const string Spec = """{"runId": "api-run", "model": "tiny", "members": 2, "steps": 3, "seed": 7, "perturb": "gaussian:0.05"}""";
        var created = await (await client.PostJsonAsync("v1/runs", Spec)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("api-run", created.GetProperty("runId").GetString());
        Assert.Equal("Running", created.GetProperty("state").GetString());
        Assert.Equal(6, created.GetProperty("totalSteps").GetInt64());

        // The same spec again is the same run; another spec under its id is a conflict naming the id.
        var again = await (await client.PostJsonAsync("v1/runs", Spec)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("api-run", again.GetProperty("runId").GetString());
        Assert.Equal(created.GetProperty("createdUtc").GetDateTime(), again.GetProperty("createdUtc").GetDateTime());
        var conflict = await (await client.PostJsonAsync("v1/runs", Spec.Replace("\"steps\": 3", "\"steps\": 4", StringComparison.Ordinal))).ProblemAsync(HttpStatusCode.Conflict, "runId");
        Assert.Contains("'api-run' already exists with a different spec", conflict, StringComparison.Ordinal);

        // Two events, a dropped connection, and a reconnect with the last id: every (member, step) exactly once.
        using var timeout = new CancellationTokenSource(Patience);
        List<ServerSentEvent> first;
        using (var stream = await client.GetAsync("v1/runs/api-run/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
            first = await ServerSentEvent.ReadAsync(await stream.Content.ReadAsStreamAsync(timeout.Token), e => e.Count == 2, timeout.Token);
        }

        Assert.Equal(2, first.Count);
        using var resumed = await client.GetAsync("v1/runs/api-run/events", first[^1].Id!);
        var rest = await ServerSentEvent.ReadAsync(await resumed.Content.ReadAsStreamAsync(timeout.Token), e => e[^1].Event == "run", timeout.Token);
        var steps = first.Concat(rest).Where(e => e.Event == "step").Select(MemberStep).ToList();
        Assert.Equal(6, steps.Count);
        Assert.Equal(
            [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)],
            steps.Order().ToList());
        Assert.Equal("run", rest[^1].Event);
        Assert.Equal("Completed", JsonDocument.Parse(rest[^1].Data).RootElement.GetProperty("state").GetString());
        Assert.Equal("3*2", rest[^1].Id);

        // A stream opened after the run finished replays every event from the stored progress.
        using (var replay = await client.GetAsync("v1/runs/api-run/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            var all = await ServerSentEvent.ReadAsync(await replay.Content.ReadAsStreamAsync(timeout.Token), _ => false, timeout.Token);
            Assert.Equal(["1,0", "1*2", "2,1", "2*2", "3,2", "3*2", "3*2"], all.Select(e => e.Id!).ToList());
        }

        // An id that is not one of this run's (3 members, a step past the end, not a vector) is refused, naming the header.
        foreach (var bad in new[] { "3*3", "4,1", "x" })
        {
            await (await client.GetAsync("v1/runs/api-run/events", bad)).ProblemAsync(HttpStatusCode.BadRequest, "Last-Event-ID");
        }

        var status = await (await client.GetAsync("v1/runs/api-run")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal(6, status.GetProperty("committedSteps").GetInt64());
        Assert.All(status.GetProperty("members").EnumerateArray(), m =>
        {
            Assert.Equal(3, m.GetProperty("step").GetInt32());
            Assert.Equal("Completed", m.GetProperty("state").GetString());
        });
        Assert.Equal("tiny", status.GetProperty("spec").GetProperty("model").GetString());
        Assert.Equal(7, status.GetProperty("spec").GetProperty("seed").GetInt64());

        // A step's field, as stored.
        var field = await (await client.GetAsync("v1/runs/api-run/members/1/steps/2?variables=2m_temperature")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(12, field.GetProperty("leadTimeHours").GetInt64());
        var variable = field.GetProperty("variables").GetProperty("2m_temperature");
        var shape = variable.Read<int[]>("shape");
        Assert.Equal([field.GetProperty("latitudes").GetArrayLength(), field.GetProperty("longitudes").GetArrayLength()], shape);
        var reader = await ZarrForecastReader.OpenForRunAsync(fixture.Silo.Services.GetRequiredService<IBlobStore>(), "api-run");
        var values = variable.Read<float[]>("values");
        Assert.Equal(await reader.ReadChunkAsync("2m_temperature", 1, 1), values);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(await reader.ReadChunkAsync("2m_temperature", 1, 0), values);
        Assert.Single(field.GetProperty("variables").EnumerateObject());

        // The last step, every variable; a step past the run's end names the range.
        var last = await (await client.GetAsync("v1/runs/api-run/members/0/steps/3")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(18, last.GetProperty("leadTimeHours").GetInt64());
        Assert.Equal(reader.Layout.Variables.Count, last.GetProperty("variables").EnumerateObject().Count());
        Assert.Contains("has steps 1 to 3, not 4", await (await client.GetAsync("v1/runs/api-run/members/0/steps/4")).ProblemAsync(HttpStatusCode.NotFound, "step"), StringComparison.Ordinal);
        await (await client.GetAsync("v1/runs/api-run/members/0/steps/1?variables=snowfall")).ProblemAsync(HttpStatusCode.BadRequest, "variables");

        var list = await (await client.GetAsync("v1/runs")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("runId").GetString() == "api-run");
    }

    [Fact]
    public async Task A_run_with_a_region_and_perturbed_parameters_is_submitted_like_the_cli_would_and_writes_the_region()
    {
        using var client = fixture.Silo.Client();
        // A region without a model gets seed:0 written out, as 'graphcast forecast --region' does.
        const string Spec = """{"runId": "api-shaped", "model": "tiny", "members": 2, "steps": 2, "regions": ["nest:20:60:-10:30:5:3h:1"], "paramPerturbation": "gaussian:0.01:^mesh_gnn/"}""";
        var created = await (await client.PostJsonAsync("v1/runs", Spec)).JsonAsync(HttpStatusCode.Created);
        var spec = created.GetProperty("spec");
        Assert.Equal(["nest:20:60:-10:30:5:3h:1=seed:0"], spec.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("gaussian:0.01:^mesh_gnn/", spec.GetProperty("paramPerturbation").GetString());
        // The view's spec submitted again is the same run.
        var again = await (await client.PostJsonAsync("v1/runs", spec.GetRawText())).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("createdUtc").GetDateTime(), again.GetProperty("createdUtc").GetDateTime());

        using var timeout = new CancellationTokenSource(Patience);
        using (var stream = await client.GetAsync("v1/runs/api-shaped/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            var events = await ServerSentEvent.ReadAsync(await stream.Content.ReadAsStreamAsync(timeout.Token), e => e[^1].Event == "run", timeout.Token);
            Assert.Equal("Completed", JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("state").GetString());
        }

        var regionStore = Path.Combine(fixture.Silo.Storage.FullName, "runs", "api-shaped", "regions", "nest", "forecast.zarr");
        for (var deadline = DateTime.UtcNow + Patience; !Directory.Exists(regionStore) && DateTime.UtcNow < deadline; await Task.Delay(250))
        {
        }

        Assert.True(Directory.Exists(regionStore), regionStore);
    }

    [Fact]
    public async Task A_cancelled_run_stops_and_a_resume_finishes_it()
    {
        using var client = fixture.Silo.Client();
        await (await client.PostJsonAsync("v1/runs", """{"runId": "api-cancel", "model": "tiny", "members": 1, "steps": 60, "checkpointEvery": 10, "perturb": "none"}"""))
            .JsonAsync(HttpStatusCode.Created);
        using var timeout = new CancellationTokenSource(Patience);
        using (var stream = await client.GetAsync("v1/runs/api-cancel/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            await ServerSentEvent.ReadAsync(await stream.Content.ReadAsStreamAsync(timeout.Token), e => e.Count == 1, timeout.Token);
        }

        var cancelled = await (await client.PostAsync("v1/runs/api-cancel/cancel", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Cancelled", cancelled.GetProperty("state").GetString());
        var stoppedAt = cancelled.GetProperty("members")[0].GetProperty("step").GetInt32();
        Assert.InRange(stoppedAt, 1, 59);
        Assert.Equal("Cancelled", (await (await client.GetAsync("v1/runs/api-cancel")).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString());

        var resumed = await (await client.PostAsync("v1/runs/api-cancel/resume", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Running", resumed.GetProperty("state").GetString());
        using var follow = await client.GetAsync("v1/runs/api-cancel/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var events = await ServerSentEvent.ReadAsync(await follow.Content.ReadAsStreamAsync(timeout.Token), e => e[^1].Event == "run", timeout.Token);
        Assert.Equal("Completed", JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("state").GetString());
        Assert.Equal(Enumerable.Range(1, 60).Select(s => (0, s)), events.Where(e => e.Event == "step").Select(MemberStep));
        var status = await (await client.GetAsync("v1/runs/api-cancel")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(60, status.GetProperty("members")[0].GetProperty("step").GetInt32());
    }

    [Fact]
    public async Task The_openapi_document_lists_the_v1_routes()
    {
        using var client = fixture.Silo.Client(ApiSilo.ReadKey);
        var document = await (await client.GetAsync("openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["/v1/runs", "/v1/runs/{id}", "/v1/runs/{id}/cancel", "/v1/runs/{id}/events", "/v1/runs/{id}/members/{member}/steps/{step}", "/v1/runs/{id}/resume"],
            paths);
    }

    private static (int Member, int Step) MemberStep(ServerSentEvent e)
    {
        var data = JsonDocument.Parse(e.Data).RootElement;
        return (data.GetProperty("member").GetInt32(), data.GetProperty("step").GetInt32());
    }
}
