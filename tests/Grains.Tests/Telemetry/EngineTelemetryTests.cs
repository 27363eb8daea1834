using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Grains.Tests.Telemetry;

/// <summary>
/// The GraphCast.Engine meter and activity source, heard through a <see cref="MeterListener"/> and an
/// <see cref="ActivityListener"/> while a small run completes: counts and byte sums equal what is in storage.
/// </summary>
/// <remarks>
/// Tests outside the engine collection run in parallel and may write forecast chunks too (uncompressed or zstd), so this
/// run uses zlib and its chunk measurements are told apart by their codec tag; run-level counters only come from grains,
/// which only this collection runs, one test at a time.
/// </remarks>
[Collection(nameof(EngineCollection))]
public sealed class EngineTelemetryTests
{
    [Fact]
    public async Task A_run_reports_its_submit_chunks_checkpoints_and_end_and_the_bytes_equal_what_was_stored()
    {
        var measurements = new ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            measurements.Enqueue((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            // Orleans' own grain-call spans carry the trace context from call to call (as in the silo's OTLP pipeline).
            ShouldListenTo = source => source.Name is EngineTelemetry.Name or "Microsoft.Orleans.Runtime" or "Microsoft.Orleans.Application",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);

        await using var engine = await EngineCluster.StartAsync(silos: 1);
        var spec = ForecastRunTests.Spec("telemetry", members: 2, steps: 3) with { Compression = "zlib:2" };
        var run = engine.Grains.GetGrain<IForecastRunGrain>(spec.RunId);
        await run.SubmitAsync(spec);
        Assert.Equal(RunState.Completed, (await ForecastRunTests.WaitAsync(run, TimeSpan.FromMinutes(2))).State);
        // Statistics passes finish after the run does (its end is announced one-way).
        Assert.All(await RunStatistics.SettleAsync(engine.Grains, spec.RunId, spec.Steps, untilDone: true), n => Assert.Equal(spec.Members, n));

        var ours = spans.Where(s => (s.GetTagItem("graphcast.run_id") as string) == spec.RunId).ToList();
        Assert.Single(ours, s => s.OperationName == "run.submit");
        var memberSteps = spec.Members * spec.Steps;
        Assert.Equal(memberSteps, ours.Count(s => s.OperationName == "forecast.write"));
        Assert.Equal(memberSteps, ours.Count(s => s.OperationName == "checkpoint.write"));
        var steps = ours.Where(s => s.OperationName == "member.step").ToList();
        Assert.Equal(memberSteps, steps.Count);
        // One activation span per member (none was moved or resumed), under the submit: one run is one trace, and each
        // member's step spans are children of its activation.
        var submit = ours.Single(s => s.OperationName == "run.submit");
        var activations = ours.Where(s => s.OperationName == "member.activation").ToList();
        Assert.Equal(Enumerable.Range(0, spec.Members), activations.Select(a => (int)a.GetTagItem("graphcast.member")!).Order());
        Assert.All(activations, a => Assert.Equal(
            (submit.TraceId, "Completed", 0, spec.Steps),
            (a.TraceId, a.GetTagItem("graphcast.state"), a.GetTagItem("graphcast.resumed_from"), a.GetTagItem("graphcast.step"))));
        foreach (var step in steps)
        {
            var parent = Assert.Single(activations, a => a.SpanId == step.ParentSpanId);
            Assert.Equal(parent.GetTagItem("graphcast.member"), step.GetTagItem("graphcast.member"));
        }

        // Each write and compute span is a child of its member step's span.
        foreach (var child in ours.Where(s => s.OperationName is "forecast.write" or "checkpoint.write"))
        {
            var parent = Assert.Single(steps, s => s.SpanId == child.ParentSpanId);
            Assert.Equal((parent.GetTagItem("graphcast.member"), parent.GetTagItem("graphcast.step")), (child.GetTagItem("graphcast.member"), child.GetTagItem("graphcast.step")));
        }

        Assert.Equal(memberSteps, spans.Count(s => s.OperationName == "member.compute" && steps.Any(p => p.SpanId == s.ParentSpanId)));
        Assert.Equal(
            Enumerable.Range(0, spec.Members).SelectMany(m => Enumerable.Range(1, spec.Steps).Select(s => (m, s))).Order(),
            ours.Where(s => s.OperationName == "forecast.write").Select(s => ((int)s.GetTagItem("graphcast.member")!, (int)s.GetTagItem("graphcast.step")!)).Order());

        var all = measurements.ToList();
        double Sum(string name, Func<Dictionary<string, object?>, bool>? where = null) =>
            all.Where(m => m.Name == name && (where?.Invoke(m.Tags) ?? true)).Sum(m => m.Value);
        int Count(string name, Func<Dictionary<string, object?>, bool>? where = null) =>
            all.Count(m => m.Name == name && (where?.Invoke(m.Tags) ?? true));

        Assert.Equal(1, Sum("graphcast.runs.submitted"));
        Assert.Equal(memberSteps, Sum("graphcast.member.steps", t => (string?)t["model"] == "tiny" && (string?)t["device"] == "cpu" && (string?)t["dtype"] == "float32"));
        Assert.Equal(memberSteps, Count("graphcast.member.step.duration"));
        Assert.Equal(1, Sum("graphcast.runs.finished", t => (string?)t["state"] == "Completed"));
        Assert.Equal(spec.Members, Sum("graphcast.members.placed"));

        // Every chunk of this run, once, with its stored (compressed) size; every checkpoint with its file's size.
        var chunks = (await engine.Blobs.ListAsync(RunLayout.ForecastStore(spec.RunId) + "/"))
            .Where(b => char.IsDigit(b.Name[b.Name.LastIndexOf('/') + 1]) && b.Name.Split('/')[^1].Count(c => c == '.') >= 3)
            .ToList();
        Assert.Equal(chunks.Count, Count("graphcast.chunk.bytes", t => (string?)t["codec"] == "zlib"));
        Assert.Equal(chunks.Sum(c => c.Length), Sum("graphcast.chunk.bytes", t => (string?)t["codec"] == "zlib"));
        var checkpoints = await engine.Blobs.ListAsync($"runs/{spec.RunId}/members/");
        Assert.Equal(memberSteps, Count("graphcast.checkpoint.bytes"));
        Assert.Equal(checkpoints.Where(c => c.Name.EndsWith(".safetensors", StringComparison.Ordinal)).Sum(c => c.Length), Sum("graphcast.checkpoint.bytes"));
        Assert.Equal(memberSteps, Count("graphcast.checkpoint.duration"));
        Assert.True(Count("graphcast.chunk.write.duration") >= memberSteps);
        Assert.True(Count("graphcast.compute.queue.wait") >= memberSteps);
        Assert.Equal(0, Sum("graphcast.compute.queue.length"));
        Assert.True(Count("graphcast.statistics.pass.duration") >= spec.Steps);
    }
}
