using System.Net.Http;
using System.Net.Sockets;
using Azure;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Checkpoints;
using GraphCast.Orleans.Storage.Forecasts;
using Orleans.Runtime;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Storage.Faults;

/// <summary>
/// Which failures are transient — storage that is briefly unreachable, a silo that died or is shutting down, a message
/// that timed out — and a bounded exponential backoff for retrying them. A transient failure never fails a member: the
/// operation is retried (every write is create-only and idempotent, so a retry after a lost answer changes nothing), and
/// only when the retry budget is spent does the last error surface. Anything else (bad input, a checkpoint of another
/// model, a conflicting chunk) is permanent and fails at once.
/// </summary>
public static class TransientFaults
{
    /// <summary>Whether <paramref name="exception"/> (or what it wraps) is worth retrying.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.All(IsTransient);
                case RequestFailedException failed:
                    // 0: no response at all (connection refused or reset); 408/429/5xx: the service asks for a retry.
                    return failed.Status is 0 or 408 or 429 or >= 500;
                case HttpRequestException or SocketException or TimeoutException:
                    return true;
                case ForecastStoreConflictException or CheckpointConflictException or CorruptCheckpointException or BlobETagMismatchException:
                    // The engine's own storage verdicts: retrying gives the same answer.
                    return false;
                case IOException io when io is not FileNotFoundException and not DirectoryNotFoundException and not EndOfStreamException:
                    // The disk or a network share hiccuped (or is full, which an operator can fix while members wait).
                    return true;
                case SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException or GatewayTooBusyException:
                    return true;
                case global::Orleans.Runtime.Messaging.ConnectionFailedException:
                    // A gateway (for a client) or another silo that just died: the gateway list and the membership move on.
                    return true;
                case ObjectDisposedException:
                    // Services torn down under a running call: the silo is stopping.
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, retrying transient failures after 0.5 s, 1 s, 2 s, … (at most
    /// <see cref="TransientRetryPolicy.MaxDelay"/>) until <see cref="TransientRetryPolicy.Budget"/> has passed since the first
    /// failure; then the last failure is rethrown. Cancellation stops the waiting at once.
    /// </summary>
    public static async Task<T> RetryAsync<T>(
        Func<CancellationToken, Task<T>> operation, TransientRetryPolicy policy, Action<Exception, int, TimeSpan>? onRetry, CancellationToken cancellationToken)
    {
        DateTime? firstFailure = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e))
            {
                firstFailure ??= DateTime.UtcNow;
                var delay = policy.DelayBefore(attempt);
                if (DateTime.UtcNow + delay - firstFailure.Value > policy.Budget)
                {
                    throw;
                }

                EngineTelemetry.StorageRetries.Add(1, new KeyValuePair<string, object?>("kind", e.GetType().Name));
                onRetry?.Invoke(e, attempt, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc cref="RetryAsync{T}(Func{CancellationToken, Task{T}}, TransientRetryPolicy, Action{Exception, int, TimeSpan}?, CancellationToken)"/>
    public static Task RetryAsync(Func<CancellationToken, Task> operation, TransientRetryPolicy policy, Action<Exception, int, TimeSpan>? onRetry, CancellationToken cancellationToken) =>
        RetryAsync(async ct =>
        {
            await operation(ct).ConfigureAwait(false);
            return true;
        }, policy, onRetry, cancellationToken);
}
