using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Predictors;
using GraphCast.Orleans.Grains.Rollout;

namespace GraphCast.Orleans.Grains.Tests.Regions;

/// <summary>A nest's computation without Orleans: resuming from its checkpoint tensors continues bit for bit.</summary>
public sealed class RegionRolloutTests
{
    [Fact]
    public void A_nest_resumed_from_its_checkpoint_tensors_continues_bit_for_bit()
    {
        using var parent = GraphCastModel.FromPreset(Presets.Tiny, new GraphCastModelOptions { GraphCacheDirectory = "", Seed = 1 });
        var region = RegionSpec.Parse("box:20:60:-10:30:5:3h:1", 10.0, TimeSpan.FromHours(6), RegionModelSource.FromSeed(2));
        using var rollout = new RegionRollout(region, parent);
        var forcings = new ComputedForcings(parent.Predictor.Layout, parent.Latitudes, parent.Longitudes);
        using var parentInitial = InitialCarry.Analytic(parent.Predictor.Layout, parent.Latitudes, parent.Longitudes, new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc));
        var outputs = new[] { "2m_temperature", "temperature" };

        // The parent's fields at its steps 0..2, on the regional grid.
        var boundaries = new List<TorchSharp.torch.Tensor>();
        using (var targets = rollout.ParentTargetsAtInit(parentInitial))
        {
            boundaries.Add(rollout.OnRegion(targets));
        }

        var carry = parentInitial;
        for (var p = 1; p <= 2; p++)
        {
            var (step, next) = parent.Predictor.Advance(parent.Params, carry, forcings);
            boundaries.Add(rollout.OnRegion(step.Predictions));
            step.Predictions.Dispose();
            if (!ReferenceEquals(carry, parentInitial))
            {
                carry.Dispose();
            }

            carry = next;
        }

        carry.Dispose();

        List<byte[]> Run(GraphCast.Model.Predictors.RolloutCarry from, int firstParentStep)
        {
            var written = new List<byte[]>();
            var current = from;
            for (var p = firstParentStep; p <= 2; p++)
            {
                for (var k = 1; k <= rollout.Ratio; k++)
                {
                    var (next, output) = rollout.Step(current, boundaries[p - 1], boundaries[p], k, outputs);
                    if (!ReferenceEquals(current, from))
                    {
                        current.Dispose();
                    }

                    current = next;
                    written.AddRange(outputs.Select(o => System.Runtime.InteropServices.MemoryMarshal.AsBytes(output.Variables[o].AsSpan()).ToArray()));
                }
            }

            if (!ReferenceEquals(current, from))
            {
                current.Dispose();
            }

            return written;
        }

        using var initial = rollout.InitialCarry(parentInitial);
        var straight = Run(initial, 1);
        Assert.Equal(2 * 2 * outputs.Length, straight.Count);

        // Stop after parent step 1, write the carry as checkpoint tensors, read it back, continue.
        var first = initial;
        for (var k = 1; k <= rollout.Ratio; k++)
        {
            var (next, _) = rollout.Step(first, boundaries[0], boundaries[1], k, outputs);
            if (!ReferenceEquals(first, initial))
            {
                first.Dispose();
            }

            first = next;
        }

        var tensors = MemberRollout.ToTensors(first).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var resumed = MemberRollout.FromTensors(tensors, rollout.Nest!.Task.InputFrames, first.Step, first.Time, parent.Predictor.Device);
        first.Dispose();
        var continued = Run(resumed, 2);
        Assert.Equal(straight.Skip(2 * outputs.Length).Count(), continued.Count);
        foreach (var (expected, actual) in straight.Skip(2 * outputs.Length).Zip(continued))
        {
            Assert.True(expected.AsSpan().SequenceEqual(actual), "a resumed step differs from the uninterrupted one");
        }

        foreach (var b in boundaries)
        {
            b.Dispose();
        }
    }
}
