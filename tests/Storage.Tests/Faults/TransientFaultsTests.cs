using Azure;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Faults;
using GraphCast.Orleans.Storage.Forecasts;
using Orleans.Runtime;

namespace GraphCast.Orleans.Storage.Tests.Faults;

/// <summary>Which failures a member retries, and the backoff it retries them with.</summary>
public sealed class TransientFaultsTests
{
    private static readonly TransientRetryPolicy Fast = new(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(4), TimeSpan.FromSeconds(5));

    public static TheoryData<Exception, bool> Cases => new()
    {
        { new RequestFailedException(0, "connection refused"), true },
        { new RequestFailedException(503, "server busy"), true },
        { new RequestFailedException(429, "throttled"), true },
        { new RequestFailedException(404, "not found"), false },
        { new RequestFailedException(409, "conflict"), false },
        { new HttpRequestException("reset"), true },
        { new IOException("disk hiccup"), true },
        { new FileNotFoundException("gone"), false },
        { new TimeoutException(), true },
        { new SiloUnavailableException("silo died"), true },
        { new global::Orleans.Runtime.Messaging.ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:30000:0"), true },
        { new ArgumentException("bad spec"), false },
        { new InvalidDataException("corrupt"), false },
        { new BlobETagMismatchException("runs/x/run.json", "a store", "1", "2"), false },
        { new ForecastStoreConflictException("runs/x/forecast.zarr/t/0.1.0.0", "chunk differs"), false },
        { new AggregateException(new HttpRequestException("a"), new TimeoutException()), true },
        { new AggregateException(new HttpRequestException("a"), new ArgumentException("b")), false },
        { new InvalidOperationException("wrapped", new SiloUnavailableException("inner")), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_failures(Exception exception, bool transient) =>
        Assert.Equal(transient, TransientFaults.IsTransient(exception));

    [Fact]
    public void Delays_double_from_the_first_up_to_the_cap()
    {
        var policy = new TransientRetryPolicy(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        Assert.Equal([0.5, 1, 2, 4, 8, 10, 10], Enumerable.Range(1, 7).Select(a => policy.DelayBefore(a).TotalSeconds));
    }

    [Fact]
    public async Task Retries_transient_failures_until_the_operation_succeeds()
    {
        var calls = 0;
        var retries = new List<int>();
        var result = await TransientFaults.RetryAsync(
            _ => ++calls < 4 ? throw new HttpRequestException("down") : Task.FromResult(42), Fast, (_, attempt, _) => retries.Add(attempt), CancellationToken.None);
        Assert.Equal(42, result);
        Assert.Equal(4, calls);
        Assert.Equal([1, 2, 3], retries);
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried()
    {
        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => TransientFaults.RetryAsync(
            _ =>
            {
                calls++;
                throw new ArgumentException("bad");
            },
            Fast, null, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_last_transient_failure_surfaces_once_the_budget_is_spent()
    {
        var policy = new TransientRetryPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100));
        var calls = 0;
        var e = await Assert.ThrowsAsync<TimeoutException>(() => TransientFaults.RetryAsync(
            _ => throw new TimeoutException($"attempt {++calls}"), policy, null, CancellationToken.None));
        Assert.Equal($"attempt {calls}", e.Message);
        Assert.InRange(calls, 2, 6);
    }
}
