using GraphCast.Model.Predictors;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Predictors;

/// <summary>
/// Members stepped together on the batch axis get, member by member, exactly the predictions each gets stepped alone: the
/// rule that lets the engine batch members of one model without changing any forecast (LibTorch on this CPU; the GEMMs see
/// different row counts for each batch size). Measured on this CPU (AMD EPYC with avx512_bf16, LibTorch 2.10.0 through TorchSharp 0.107.0): batches
/// of 2, 4, 6 and 8 are bit-identical to single steps; batches of 3, 5 and 7 are not (a few values differ in the last
/// float32 bit), so a batching engine must pad odd batches to an even size. docs/engine-benchmarks.md has the finding.
/// </summary>
public sealed class BatchedStepTests
{
    private static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    public void A_batched_step_equals_each_member_stepped_alone_bit_for_bit(int batch)
    {
        const int Members = 8;
        using var predictor = TinyModel.Predictor();
        using var p = predictor.Init(RngKey.FromSeed(5));
        var g = TinyModel.Graphs.Spec;
        using var scope = torch.NewDisposeScope();
        using var carry = InitialCarry.Analytic(predictor.Layout, g.GridLatitudes, g.GridLongitudes, InitTime);
        var forcing = new ComputedForcings(predictor.Layout, g.GridLatitudes, g.GridLongitudes).At(InitTime.AddHours(6));
        var generator = new torch.Generator(11);
        // Eight different members: the analytic state plus seeded noise of a different size per member.
        var frames = carry.Frames.Select(f => torch.cat(Enumerable.Range(0, Members)
            .Select(m => f + (torch.randn(f.shape, generator: generator) * (0.01 * (m + 1)))).ToArray(), 1)).ToArray();

        Tensor StepOf(int first, int count) =>
            predictor.Step(p, new StepInputs(frames.Select(f => f.narrow(1, first, count)).ToArray(), carry.Static, forcing));

        var alone = Enumerable.Range(0, Members).Select(m => StepOf(m, 1).contiguous().data<float>().ToArray()).ToArray();
        for (var first = 0; first < Members; first += batch)
        {
            var count = Math.Min(batch, Members - first);
            var together = StepOf(first, count);
            for (var k = 0; k < count; k++)
            {
                Assert.Equal(alone[first + k], together.narrow(1, k, 1).contiguous().data<float>().ToArray());
            }
        }
    }
}
