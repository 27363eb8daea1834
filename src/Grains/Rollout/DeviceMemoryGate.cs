using GraphCast.Orleans.Storage.Telemetry;
namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// Bounds the device memory that steps in flight may take (<see cref="Options.ComputeOptions.MemoryBytes"/>): a step waits
/// (first come, first served) until its estimate fits beside the steps already running; a step that could never fit, even
/// alone beside its model's parameters, is refused at once with a message naming the setting.
/// </summary>
public sealed class DeviceMemoryGate(long capacityBytes, string device)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Ready)> _waiting = new();
    private long _inUse;

    public long CapacityBytes { get; } = capacityBytes;

    public long InUseBytes
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>Steps waiting for memory.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Throws <see cref="InsufficientDeviceMemoryException"/> when a step of <paramref name="stepBytes"/> with <paramref name="parameterBytes"/> of parameters can never run here.</summary>
    public void EnsureFits(string model, long parameterBytes, long stepBytes)
    {
        if (parameterBytes + stepBytes > CapacityBytes)
        {
            throw new InsufficientDeviceMemoryException(
                $"Model {model} needs about {Gb(parameterBytes + stepBytes)} on {device} ({Gb(parameterBytes)} of parameters and {Gb(stepBytes)} for one step), " +
                $"but this silo may use {Gb(CapacityBytes)} (Compute:MemoryBytes). Raise Compute:MemoryBytes if the device has the memory, or run the model on a bigger device.");
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> fit, and holds them until the returned handle is disposed.</summary>
    public async Task<IDisposable> EnterAsync(long bytes, CancellationToken cancellationToken)
    {
        TaskCompletionSource ready;
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && _inUse + bytes <= CapacityBytes)
            {
                _inUse += bytes;
                EngineTelemetry.MemoryGateWait.Record(0, new KeyValuePair<string, object?>("device", device));
                return new Release(this, bytes);
            }

            ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast((bytes, ready));
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            EngineTelemetry.MemoryGateWait.Record(waited.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("device", device));
            return new Release(this, bytes);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                }
                else
                {
                    // Granted while being cancelled: give it back.
                    _inUse -= bytes;
                    Grant();
                }
            }

            throw;
        }
    }

    private void Exit(long bytes)
    {
        lock (_lock)
        {
            _inUse -= bytes;
            Grant();
        }
    }

    // Under the lock: admit waiting steps in order while the first one fits (a step that alone exceeds the capacity was
    // refused by EnsureFits; one that fits only when nothing runs is admitted once the device is idle).
    private void Grant()
    {
        while (_waiting.First is { } first && (_inUse + first.Value.Bytes <= CapacityBytes || _inUse == 0))
        {
            _waiting.RemoveFirst();
            _inUse += first.Value.Bytes;
            first.Value.Ready.TrySetResult();
        }
    }

    private static string Gb(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1e9:0.###} GB");

    private sealed class Release(DeviceMemoryGate gate, long bytes) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gate.Exit(bytes);
            }
        }
    }
}
