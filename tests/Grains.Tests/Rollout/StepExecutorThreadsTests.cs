using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using Microsoft.Extensions.Logging;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GraphCast.Orleans.Grains.Tests.Rollout;

/// <summary>A silo whose compute threads exceed the cores it can see says so at start; one that fits stays quiet.</summary>
public sealed class StepExecutorThreadsTests
{
    [Fact]
    public void More_compute_threads_than_cores_is_a_warning_naming_the_settings()
    {
        var steps = Environment.ProcessorCount + 1;
        var logger = new Capture();
        using (new StepExecutor(MsOptions.Create(new ComputeOptions { MaxConcurrentSteps = steps }), logger))
        {
        }

        var threads = TorchSharp.torch.get_num_threads() * steps;
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning).Text;
        Assert.Equal(
            $"This silo runs {threads} compute threads ({steps} concurrent steps × LibTorch intra-op threads) on {Environment.ProcessorCount} cores: " +
            "they will contend. Lower Compute:IntraOpThreads or Compute:MaxConcurrentSteps",
            warning);
    }

    [Fact]
    public void One_step_on_the_default_threads_fits()
    {
        var logger = new Capture();
        using (new StepExecutor(MsOptions.Create(new ComputeOptions()), logger))
        {
        }

        Assert.DoesNotContain(logger.Lines, l => l.Level == LogLevel.Warning);
    }

    private sealed class Capture : ILogger<StepExecutor>
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
