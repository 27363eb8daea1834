using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Rollout;

namespace GraphCast.Orleans.Grains.Tests.Rollout;

/// <summary>Steps share a device memory budget: they queue when it is taken, and a step that can never fit fails with the fix.</summary>
public sealed class DeviceMemoryTests
{
    [Fact]
    public void A_step_that_can_never_fit_is_refused_naming_the_setting()
    {
        var gate = new DeviceMemoryGate(1_000_000_000, "cpu");
        gate.EnsureFits("demo", 200_000_000, 800_000_000);
        var e = Assert.Throws<InsufficientDeviceMemoryException>(() => gate.EnsureFits("graphcast-small", 143_917_388, 2_596_269_696));
        Assert.Equal(
            "Model graphcast-small needs about 2.74 GB on cpu (0.144 GB of parameters and 2.596 GB for one step), but this silo may use 1 GB (Compute:MemoryBytes). " +
            "Raise Compute:MemoryBytes if the device has the memory, or run the model on a bigger device.",
            e.Message);
    }

    [Fact]
    public async Task Steps_wait_in_order_until_memory_is_free()
    {
        var gate = new DeviceMemoryGate(100, "cpu");
        var a = await gate.EnterAsync(60, CancellationToken.None);
        var b = gate.EnterAsync(50, CancellationToken.None);
        var c = gate.EnterAsync(10, CancellationToken.None);
        // c would fit now, but b came first: nobody overtakes a waiting step.
        Assert.False(b.IsCompleted);
        Assert.False(c.IsCompleted);
        Assert.Equal(2, gate.Waiting);
        a.Dispose();
        var held = await b;
        await c;
        Assert.Equal(60, gate.InUseBytes);
        held.Dispose();
        Assert.Equal(10, gate.InUseBytes);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_queue()
    {
        var gate = new DeviceMemoryGate(100, "cpu");
        using var a = await gate.EnterAsync(90, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var b = gate.EnterAsync(50, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        Assert.Equal(0, gate.Waiting);
        Assert.Equal(90, gate.InUseBytes);
    }

    [Fact]
    public async Task A_member_whose_model_does_not_fit_fails_the_run_with_the_fix()
    {
        await using var engine = await EngineCluster.StartAsync(1, settings: new() { ["Compute:MemoryBytes"] = "1000000" });
        var spec = ForecastRunTests.Spec("too-big", members: 1, steps: 2);
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        var status = await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Failed, status.State);
        Assert.Contains("Model tiny needs about", status.Error, StringComparison.Ordinal);
        Assert.Contains("but this silo may use 0.001 GB (Compute:MemoryBytes)", status.Error, StringComparison.Ordinal);
        Assert.Equal(0, status.Members[0].Step);
    }
}
