using System.Net;
using System.Text;

namespace GraphCast.Orleans.Api.Tests;

/// <summary>
/// What the API refuses, each as an RFC 9457 problem document naming the field and the fix, with nothing written to storage:
/// missing or wrong credentials (401), a read-only key submitting (403), a body over the limit (413), run ids that would
/// escape their prefix, unknown fields, values of the wrong type and specs the CLI refuses (400, same messages).
/// </summary>
public sealed class RefusalTests(ApiSiloFixture fixture) : IClassFixture<ApiSiloFixture>
{
    private string[] StoredRuns => Directory.Exists(Path.Combine(fixture.Silo.Storage.FullName, "runs"))
        ? Directory.GetDirectories(Path.Combine(fixture.Silo.Storage.FullName, "runs")).Select(d => Path.GetFileName(d)!).ToArray()
        : [];

    [Fact]
    public async Task Missing_or_wrong_credentials_are_401_and_a_read_only_key_may_read_but_not_submit()
    {
        using var anonymous = fixture.Silo.Client(key: null);
        Assert.Contains("X-Api-Key", await (await anonymous.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key"), StringComparison.Ordinal);
        await (await anonymous.PostJsonAsync("v1/runs", """{"runId": "anonymous", "model": "tiny"}""")).ProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");
        await (await anonymous.GetAsync("openapi/v1.json")).ProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);

        using var wrong = fixture.Silo.Client("not-a-key");
        await (await wrong.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");

        using var bearer = fixture.Silo.Client(key: null);
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.e30.");
        await (await bearer.GetAsync("v1/runs")).ProblemAsync(HttpStatusCode.Unauthorized, "Authorization");

        using var reader = fixture.Silo.Client(ApiSilo.ReadKey);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("v1/runs")).StatusCode);
        var forbidden = await (await reader.PostJsonAsync("v1/runs", """{"runId": "read-only", "model": "tiny"}""")).ProblemAsync(HttpStatusCode.Forbidden, "role");
        Assert.Contains("submit role", forbidden, StringComparison.Ordinal);
        await (await reader.PostAsync("v1/runs/read-only/cancel", null)).ProblemAsync(HttpStatusCode.Forbidden, "role");
        Assert.DoesNotContain("anonymous", StoredRuns);
        Assert.DoesNotContain("read-only", StoredRuns);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_writes_nothing()
    {
        using var client = fixture.Silo.Client();
        var padding = new string('x', 64 * 1024);
        var body = $$"""{"runId": "too-large", "model": "tiny", "variables": ["{{padding}}"]}""";
        Assert.True(Encoding.UTF8.GetByteCount(body) > 64 * 1024);
        var detail = await (await client.PostJsonAsync("v1/runs", body)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body");
        Assert.Contains("Api:MaxRequestBytes (65536 bytes)", detail, StringComparison.Ordinal);

        Assert.DoesNotContain("too-large", StoredRuns);
    }

    [Theory]
    [InlineData("""{"runId": "..", "model": "tiny"}""", "runId", "'..' is not a valid run id")]
    [InlineData("""{"runId": "a/b", "model": "tiny"}""", "runId", "'/' and '..' are refused")]
    [InlineData("""{"runId": "../escape", "model": "tiny"}""", "runId", "'../escape' is not a valid run id")]
    [InlineData("""{"runId": "colour", "model": "tiny", "colour": "blue"}""", "colour", "Unknown field 'colour': a run spec has runId, model, members")]
    [InlineData("""{"runId": "typed", "model": "tiny", "members": "four"}""", "members", "give a whole number")]
    [InlineData("""{"runId": "zero", "model": "tiny", "members": 0}""", "members", "members must be between 1 and 10000, not 0.")]
    [InlineData("""{"runId": "steps", "model": "tiny", "steps": 100001}""", "steps", "steps must be between 1 and 100000, not 100001.")]
    [InlineData("""{"runId": "perturb", "model": "tiny", "perturb": "gaussian:-1"}""", "perturb", "Perturbation 'gaussian:-1': the amplitude must be a positive number.")]
    [InlineData("""{"runId": "codec", "model": "tiny", "compression": "lzma"}""", "compression", "lzma")]
    [InlineData("""{"runId": "seconds", "model": "tiny", "initTime": "2024-06-03T06:00:30Z"}""", "initTime", "has seconds")]
    [InlineData("""{"runId": "model", "model": "graphcast-huge"}""", "model", "Unknown preset 'graphcast-huge'")]
    [InlineData("""{"runId": "outputs", "model": "tiny", "variables": ["snowfall"]}""", "variables", "Output variable(s) 'snowfall' are not predicted by the model")]
    [InlineData("""{"runId": "file", "model": "tiny", "init": "/etc/passwd"}""", "init", "the API does not read files")]
    [InlineData("""{"runId": "region", "model": "tiny", "regions": ["nest:60:20:-10:30"]}""", "regions", "LAT0 60 must be south of LAT1 20")]
    [InlineData("""{"runId": "region-file", "model": "tiny", "regions": ["nest:20:60:-10:30=/etc/passwd"]}""", "regions", "the API does not read files")]
    [InlineData("""{"runId": "region-type", "model": "tiny", "regions": "nest"}""", "regions", "give a list of regions")]
    [InlineData("""{"runId": "params", "model": "tiny", "paramPerturbation": "gaussian:2"}""", "paramPerturbation", "the scale must be a number above 0 and at most 1")]
    [InlineData("""{"runId": "params-none", "model": "tiny", "paramPerturbation": "gaussian:0.01:^nowhere/"}""", "paramPerturbation", "matches no parameter of the model")]
    [InlineData("""[1, 2]""", "body", "must be a JSON object")]
    [InlineData("""{"runId": """, "body", "is not JSON")]
    public async Task A_bad_spec_is_400_naming_the_field_and_writes_nothing(string body, string field, string message)
    {
        using var client = fixture.Silo.Client();
        var detail = await (await client.PostJsonAsync("v1/runs", body)).ProblemAsync(HttpStatusCode.BadRequest, field);
        Assert.Contains(message, detail, StringComparison.Ordinal);
        Assert.Empty(StoredRuns);
    }

    [Theory]
    [InlineData("v1/runs/..%2F..", "id")]
    [InlineData("v1/runs/a..%2Fb/events", "id")]
    [InlineData("v1/runs/no-such-run/members/0/steps/1?variables=..%2Fx", "variables")]
    public async Task Run_ids_and_variable_names_are_checked_before_storage(string path, string field)
    {
        using var client = fixture.Silo.Client();
        await (await client.GetAsync(path)).ProblemAsync(HttpStatusCode.BadRequest, field);
        Assert.Empty(StoredRuns);
    }

    [Fact]
    public async Task An_unknown_run_is_404_naming_the_id()
    {
        using var client = fixture.Silo.Client();
        Assert.Contains("There is no run 'nobody'", await (await client.GetAsync("v1/runs/nobody")).ProblemAsync(HttpStatusCode.NotFound, "id"), StringComparison.Ordinal);
        await (await client.PostAsync("v1/runs/nobody/cancel", null)).ProblemAsync(HttpStatusCode.NotFound, "id");
        await (await client.GetAsync("v1/runs/nobody/events")).ProblemAsync(HttpStatusCode.NotFound, "id");
        Assert.Empty(StoredRuns);
    }
}
