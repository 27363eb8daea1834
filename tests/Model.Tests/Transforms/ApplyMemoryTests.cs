using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Transforms;

/// <summary>A long loop of Apply calls releases every intermediate tensor.</summary>
[Collection(nameof(TensorCountCollection))]
public sealed class ApplyMemoryTests
{
    [Fact]
    public void Ten_thousand_applies_leave_tensor_count_and_memory_flat()
    {
        var model = Transform.WithState((Tensor x) => new Mlp([8, 4], t => nn.functional.silu(t)).Call(x));
        using var x = torch.randn(256, 5);
        var (p, s) = model.Init(RngKey.FromSeed(0), x);
        void Run(int calls)
        {
            for (var i = 0; i < calls; i++)
            {
                var (y, s2) = model.Apply(p, s, null, x);
                y.Dispose();
                s2.Dispose();
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        // Warm up (JIT tiers, allocator pools), then compare two equal halves of 5,000 calls each: a leak grows
        // memory linearly, so the second half would add as much as the first.
        Run(2_000);
        var tensorsBefore = torch.Tensor.TotalCount;
        var memory0 = Environment.WorkingSet;
        Run(5_000);
        var memory1 = Environment.WorkingSet;
        Run(5_000);
        var memory2 = Environment.WorkingSet;
        Assert.Equal(tensorsBefore, torch.Tensor.TotalCount);
        // Leaking one [256, 8] float tensor per call would add over 40 MiB per half (8 KiB of data each, plus native
        // tensor overhead); allocator and GC noise measured here stays under 10 MiB.
        Assert.InRange(memory2 - memory1, long.MinValue, 16L << 20);
        Assert.InRange(memory1 - memory0, long.MinValue, 32L << 20);
        p.Dispose();
        s.Dispose();
    }
}
