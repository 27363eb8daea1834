using System.Net.Http;
using System.Net.Sockets;
using Azure;
using Orleans.Runtime;

namespace GraphCast.Orleans.Storage.Faults;

/// <summary>Backoff for transient failures: the first delay, its cap, and how long failures may go on before one is final.</summary>
public sealed record TransientRetryPolicy(TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan Budget)
{
    public TimeSpan DelayBefore(int attempt)
    {
        var seconds = FirstDelay.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxDelay.TotalSeconds));
    }
}
