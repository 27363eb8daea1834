using System.Threading.Channels;
using GraphCast.Orleans.Grains.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// Runs model steps on dedicated compute threads, outside Orleans' scheduler, behind a bounded queue: a grain awaits the
/// returned task and never blocks a turn; when the queue is full callers wait (backpressure) instead of failing. Tensor work
/// stays on one thread from start to end (dispose scopes and no_grad are thread-local).
/// </summary>
public sealed partial class StepExecutor : IDisposable
{
    private readonly Channel<WorkItem> _queue;
    private readonly Thread[] _threads;
    private readonly ILogger<StepExecutor> _logger;
    private long _completed;

    public StepExecutor(IOptions<ComputeOptions> options, ILogger<StepExecutor> logger)
    {
        var o = options.Value;
        _logger = logger;
        Memory = new DeviceMemoryGate(o.EffectiveMemoryBytes, o.Device);
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(o.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        if (o.IntraOpThreads > 0)
        {
            TorchSharp.torch.set_num_threads(o.IntraOpThreads);
        }

        // Compute threads beyond the cores this process can see fight each other (and the engine's I/O) for them.
        var threads = TorchSharp.torch.get_num_threads() * o.MaxConcurrentSteps;
        if (threads > Environment.ProcessorCount)
        {
            LogOversubscribed(threads, o.MaxConcurrentSteps, Environment.ProcessorCount);
        }

        _threads = Enumerable.Range(0, o.MaxConcurrentSteps).Select(i =>
        {
            var t = new Thread(Work) { IsBackground = true, Name = $"graphcast-compute-{i}" };
            t.Start();
            return t;
        }).ToArray();
    }

    /// <summary>Steps completed since start.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Work waiting for a compute thread.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>The device memory budget that steps in flight share.</summary>
    public DeviceMemoryGate Memory { get; }

    /// <summary>Runs <paramref name="work"/> on a compute thread once <paramref name="bytes"/> of device memory are free for it.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, long bytes, CancellationToken cancellationToken)
    {
        using var hold = await Memory.EnterAsync(bytes, cancellationToken).ConfigureAwait(false);
        return await RunAsync(work, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on a compute thread.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
    {
        var item = new WorkItem<T>(work, cancellationToken);
        await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        EngineTelemetry.ComputeQueueLength.Add(1);
        return await item.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(30));
        }
    }

    private void Work()
    {
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_queue.Reader.TryRead(out var item))
            {
                EngineTelemetry.ComputeQueueLength.Add(-1);
                EngineTelemetry.ComputeQueueWait.Record(item.Queued.Elapsed.TotalSeconds);
                try
                {
                    item.Execute();
                }
                catch (Exception e)
                {
                    // Execute reports to the awaiting caller; this is only a safety net.
                    _logger.LogError(e, "A compute work item failed outside its own error handling.");
                }

                Interlocked.Increment(ref _completed);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "This silo runs {Threads} compute threads ({Steps} concurrent steps × LibTorch intra-op threads) on {Cores} cores: they will contend. Lower Compute:IntraOpThreads or Compute:MaxConcurrentSteps")]
    private partial void LogOversubscribed(int threads, int steps, int cores);

    private abstract class WorkItem
    {
        public System.Diagnostics.Stopwatch Queued { get; } = System.Diagnostics.Stopwatch.StartNew();

        public abstract void Execute();
    }

    private sealed class WorkItem<T>(Func<T> work, CancellationToken cancellationToken) : WorkItem
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _result.Task;

        public override void Execute()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _result.TrySetCanceled(cancellationToken);
                return;
            }

            try
            {
                _result.TrySetResult(work());
            }
            catch (Exception e)
            {
                _result.TrySetException(e);
            }
        }
    }
}
