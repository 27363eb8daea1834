using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>What the cluster system tests do with a run: wait for a state of it, and compare its forecast with an embedded run.</summary>
public static class ClusterRuns
{
    /// <summary>The spec every cluster system test submits: tiny preset, seed 11, gaussian:0.1 perturbation.</summary>
    public static ForecastSpec Spec(string runId, int members, int steps) => new()
    {
        RunId = runId,
        Model = "tiny",
        InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc),
        Steps = steps,
        Members = members,
        Perturbation = PerturbationSpec.Parse("gaussian:0.1"),
        Seed = 11,
    };

    public static async Task<RunStatus> WaitAsync(IForecastRunGrain run, Func<RunStatus, bool> until, bool allowMissing = false)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        RunStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                // A poll that went to a gateway which just died is abandoned after a second (the recovery time measured here
                // is the engine's, not the observing client's).
                last = await run.GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(1));
                if (last is not null && until(last))
                {
                    return last;
                }

                if (last is null && !allowMissing)
                {
                    throw new InvalidOperationException($"Run {run.GetPrimaryKeyString()} does not exist.");
                }
            }
            catch (Exception e) when (GraphCast.Orleans.Storage.Faults.TransientFaults.IsTransient(e))
            {
                // The run grain's silo (or this client's gateway) was just killed: it re-activates elsewhere.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Run {run.GetPrimaryKeyString()} did not reach the awaited state in 4 min; last {last?.State}, steps [{string.Join(", ", last?.Members.Select(m => $"{m.Step}:{m.State}@{m.Silo}") ?? [])}].");
    }

    /// <summary>
    /// The same spec (tiny preset, seed 11, gaussian:0.1) on one embedded silo in this process (local folder), then every data chunk of the cluster's run equal
    /// value for value (bit for bit, whatever either store's codec), and no chunk missing or extra.
    /// </summary>
    public static async Task AssertEqualsSingleSiloRunAsync(IBlobStore cluster, string runId, int members, int steps, ITestOutputHelper output)
    {
        var reference = System.IO.Directory.CreateTempSubdirectory("gc-reference-").FullName;
        try
        {
            var text = new StringWriter();
            var code = await CommandLine.RunAsync(
                ["forecast", "--preset", "tiny", "--members", members.ToString(), "--steps", steps.ToString(), "--seed", "11", "--perturb", "gaussian:0.1",
                 "--output", reference, "--run-id", runId],
                text, text, CancellationToken.None);
            Assert.True(code == 0, text.ToString());
            var local = new LocalDirectoryBlobStore(reference);
            var prefix = RunLayout.ForecastStore(runId) + "/";
            var expected = (await local.ListAsync(prefix)).Where(IsDataChunk).Select(b => b.Name).Order(StringComparer.Ordinal).ToList();
            var actual = (await cluster.ListAsync(prefix)).Where(IsDataChunk).Select(b => b.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
            Assert.True(expected.Count >= members * steps * 11, $"{expected.Count} chunks");
            // Values, not stored bytes: a run submitted by the CLI has its default codec, one submitted by a test none.
            var clusterStore = await ZarrForecastReader.OpenForRunAsync(cluster, runId);
            var localStore = await ZarrForecastReader.OpenForRunAsync(local, runId);
            foreach (var name in expected)
            {
                var key = name[prefix.Length..];
                var variable = key[..key.IndexOf('/')];
                var index = key[(key.IndexOf('/') + 1)..].Split('.').Select(int.Parse).ToArray();
                var a = await clusterStore.ReadChunkBytesAsync(variable, index[0], index[1]);
                var b = await localStore.ReadChunkBytesAsync(variable, index[0], index[1]);
                Assert.True(a.AsSpan().SequenceEqual(b), $"chunk {name} differs from the single-silo run");
            }

            output.WriteLine($"{expected.Count} chunks equal the single-silo run.");
        }
        finally
        {
            System.IO.Directory.Delete(reference, recursive: true);
        }
    }

    /// <summary>A data chunk of an output variable: a key like <c>temperature/0.3.1.0.0</c>, not metadata or coordinates.</summary>
    private static bool IsDataChunk(BlobEntry blob)
    {
        var parts = blob.Name.Split('/');
        var leaf = parts[^1];
        var array = parts[^2];
        return leaf.Length > 0 && char.IsDigit(leaf[0]) && array is not ("member" or "lead_time" or "level" or "lat" or "lon" or "time" or "valid_time");
    }
}
