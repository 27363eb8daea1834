using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>
/// A small finished run written straight to a storage folder (manifest and forecast store, no engine): 3 members, 2 steps,
/// levels 500 and 850 hPa, a 5 × 8 grid, one surface and one atmospheric variable, with values that say where they are.
/// </summary>
internal sealed class StoredRunFixture : IDisposable
{
    public const string RunId = "fixture-run";
    public static readonly DateTime InitTime = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    public static readonly ForecastStoreLayout Layout = new(
        Members: 3,
        LeadTimesHours: [6, 12],
        Levels: [500, 850],
        Latitudes: [-60f, -30f, 0f, 30f, 60f],
        Longitudes: [0f, 45f, 90f, 135f, 180f, 225f, 270f, 315f],
        InitTime: InitTime,
        Variables:
        [
            new ForecastVariable("2m_temperature", false, "K", "2 metre temperature"),
            new ForecastVariable("temperature", true, "K", "temperature"),
        ]);

    private StoredRunFixture(string directory) => Directory = directory;

    /// <summary>The storage folder (<c>--output</c>).</summary>
    public string Directory { get; }

    /// <summary>The value of <paramref name="variable"/> for (member, step index, level index, lat index, lon index).</summary>
    public static float Value(string variable, int member, int step, int level, int lat, int lon) =>
        (variable == "temperature" ? 250f - (20f * level) : 280f) + (3f * lat) + (0.5f * lon) + (0.25f * member * (step + 1)) + (0.125f * step);

    public static async Task<StoredRunFixture> CreateAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gc-stored-run-").FullName;
        var store = new LocalDirectoryBlobStore(directory);
        var writer = await ZarrForecastWriter.CreateForRunAsync(store, RunId, Layout);
        foreach (var variable in Layout.Variables)
        {
            var levels = variable.HasLevels ? Layout.Levels.Count : 1;
            for (var m = 0; m < Layout.Members; m++)
            {
                for (var s = 0; s < Layout.LeadTimesHours.Count; s++)
                {
                    var data = new float[Layout.ChunkLength(variable)];
                    var k = 0;
                    for (var l = 0; l < levels; l++)
                    {
                        for (var i = 0; i < Layout.Latitudes.Count; i++)
                        {
                            for (var j = 0; j < Layout.Longitudes.Count; j++)
                            {
                                data[k++] = Value(variable.Name, m, s, l, i, j);
                            }
                        }
                    }

                    await writer.WriteChunkAsync(variable.Name, m, s, data);
                }
            }
        }

        var spec = new ForecastSpec { RunId = RunId, Model = "tiny", InitTime = InitTime, Steps = 2, Members = 3 };
        await new RunManifestStore(store).TryCreateAsync(new RunStatus
        {
            Spec = spec,
            State = RunState.Completed,
            CreatedUtc = InitTime,
            Members = [.. Enumerable.Range(0, 3).Select(m => new MemberProgress { Member = m, Step = 2, State = MemberState.Completed })],
        });
        return new StoredRunFixture(directory);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
