using GraphCast.Data.Datasets;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// The project's own Zarr forecast store as an <see cref="IGriddedDataset"/>, so that a forecast can initialise another run
/// or serve as truth: valid times are the init time plus each lead time, members are the store's members, variables carry
/// the model's names (which the variable map takes as they are).
/// </summary>
/// <remarks>
/// Reads block on the blob store: open it where blocking is harmless (the command line, a tool), never inside a grain turn.
/// The last chunk read (one variable, member and step: all levels) is kept, so reading a variable level by level reads
/// each chunk once.
/// </remarks>
public sealed class ZarrForecastDataset : IGriddedDataset
{
    private readonly ZarrForecastReader _reader;
    private (string Variable, int Member, int Step, float[] Data)? _last;

    private ZarrForecastDataset(ZarrForecastReader reader, string source)
    {
        _reader = reader;
        Source = source;
        var layout = reader.Layout;
        Latitudes = layout.Latitudes.Select(x => (double)x).ToArray();
        Longitudes = layout.Longitudes.Select(x => (double)x).ToArray();
        Times = layout.LeadTimesHours.Select(h => layout.InitTime.AddHours(h)).ToArray();
        Members = layout.Members;
        double[] levels = [.. layout.Levels.Select(l => (double)l)];
        Variables = layout.Variables.Select(v => new DatasetVariable(v.Name, v.Units, v.HasLevels ? levels : [])).ToArray();
    }

    public string Source { get; }

    public IReadOnlyList<double> Latitudes { get; }

    public IReadOnlyList<double> Longitudes { get; }

    public IReadOnlyList<DateTime> Times { get; }

    public int Members { get; }

    public IReadOnlyList<DatasetVariable> Variables { get; }

    /// <summary>The store's layout (init time, lead times, grid, variables).</summary>
    public ForecastStoreLayout Layout => _reader.Layout;

    /// <summary>Opens the forecast store under <paramref name="storePrefix"/> of <paramref name="store"/>.</summary>
    public static async Task<ZarrForecastDataset> OpenAsync(IBlobStore store, string storePrefix, CancellationToken cancellationToken = default)
    {
        var reader = await ZarrForecastReader.OpenAsync(store, storePrefix, cancellationToken).ConfigureAwait(false);
        return new ZarrForecastDataset(reader, $"{store.Location}/{storePrefix}");
    }

    /// <summary>Opens a forecast store in a local directory (a <c>forecast.zarr</c> folder).</summary>
    public static Task<ZarrForecastDataset> OpenDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(directory).TrimEnd('/');
        var parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{directory}' has no parent folder.");
        return OpenAsync(new LocalDirectoryBlobStore(parent), Path.GetFileName(full), cancellationToken);
    }

    public float[] ReadField(string variable, int time, int level = 0, int member = 0)
    {
        var v = Variables.FirstOrDefault(x => x.Name == variable)
            ?? throw new KeyNotFoundException($"'{Source}' has no variable '{variable}'. Variables: {string.Join(", ", Variables.Select(x => x.Name))}.");
        if (_last is not { } last || last.Variable != variable || last.Member != member || last.Step != time)
        {
            var data = _reader.ReadChunkAsync(variable, member, time).GetAwaiter().GetResult();
            last = (variable, member, time, data);
            _last = last;
        }

        var nodes = Latitudes.Count * Longitudes.Count;
        var index = v.HasLevels ? level : 0;
        if (index < 0 || index >= Math.Max(1, v.LevelsHpa.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"'{variable}' has {v.LevelsHpa.Count} levels.");
        }

        return last.Data.AsSpan(index * nodes, nodes).ToArray();
    }

    public void Dispose()
    {
    }
}
