using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GraphCast.Orleans.Api.Tests;

/// <summary>
/// The API tells callers when to come back: 503 with Retry-After while its silo has not finished starting, and 429 with
/// Retry-After when the cluster already runs <c>Api:MaxActiveRuns</c> runs (a resubmit of a running run is still answered).
/// </summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task The_api_answers_503_until_its_silo_is_ready_and_429_at_the_active_run_limit()
    {
        var gate = new StartGate();
        await using var silo = await ApiSilo.StartAsync(
            new Dictionary<string, string?> { ["Api:MaxActiveRuns"] = "1", ["Api:RetryAfterSeconds"] = "7" },
            services => services.AddSingleton<IHostedService>(gate),
            awaitStart: false);
        using var client = silo.Client();

        // The API is up before the host has finished starting (a hosted service after the silo holds it back).
        await gate.Reached.WaitAsync(TimeSpan.FromMinutes(2));
        var unavailable = await client.GetAsync("v1/runs");
        await unavailable.ProblemAsync(HttpStatusCode.ServiceUnavailable, "silo");
        Assert.Equal(TimeSpan.FromSeconds(7), unavailable.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("healthz")).StatusCode);
        gate.Open();
        await silo.WaitStartedAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);

        const string Long = """{"runId": "admitted", "model": "tiny", "members": 1, "steps": 5000, "checkpointEvery": 1000, "perturb": "none"}""";
        await (await client.PostJsonAsync("v1/runs", Long)).JsonAsync(HttpStatusCode.Created);
        var refused = await client.PostJsonAsync("v1/runs", """{"runId": "refused", "model": "tiny", "members": 1, "steps": 2}""");
        var detail = await refused.ProblemAsync(HttpStatusCode.TooManyRequests, "runId");
        Assert.Contains("Api:MaxActiveRuns = 1", detail, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
        Assert.False(Directory.Exists(Path.Combine(silo.Storage.FullName, "runs", "refused")));

        // The running run itself is answered (idempotent), and once it is cancelled there is room again.
        await (await client.PostJsonAsync("v1/runs", Long)).JsonAsync(HttpStatusCode.OK);
        await (await client.PostAsync("v1/runs/admitted/cancel", null)).JsonAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync("v1/runs", """{"runId": "after", "model": "tiny", "members": 1, "steps": 1}""")).JsonAsync(HttpStatusCode.Created);
    }

    /// <summary>A hosted service that starts after the silo and waits until the test opens it.</summary>
    private sealed class StartGate : IHostedService
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Open() => _open.TrySetResult();

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            _reached.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
