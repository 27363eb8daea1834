using GraphCast.Model.Forcings;

namespace GraphCast.Model.Fields;

/// <summary>
/// Named fields of one valid time on a regular latitude–longitude grid, each float32 <c>[levels, lat, lon]</c> (levels only
/// for atmospheric variables, in the task's level order). This is the seam between data sources (the analytic state, files,
/// a previous forecast) and the model's grid-major frames.
/// </summary>
public sealed class GridFields
{
    private readonly Dictionary<string, float[]> _fields = new(StringComparer.Ordinal);

    public GridFields(float[] latitudes, float[] longitudes)
    {
        Latitudes = latitudes;
        Longitudes = longitudes;
    }

    public float[] Latitudes { get; }

    public float[] Longitudes { get; }

    public int Nodes => Latitudes.Length * Longitudes.Length;

    public IEnumerable<string> Names => _fields.Keys;

    public bool Contains(string name) => _fields.ContainsKey(name);

    public float[] this[string name] => _fields.TryGetValue(name, out var f) ? f
        : throw new KeyNotFoundException($"No field '{name}' (fields present: {string.Join(", ", _fields.Keys.Order(StringComparer.Ordinal))}).");

    /// <summary>Adds or replaces a field; its length must be a whole number of grid slices.</summary>
    public GridFields Set(string name, float[] data)
    {
        if (data.Length == 0 || data.Length % Nodes != 0)
        {
            throw new ArgumentException($"Field '{name}' has {data.Length} values, not a multiple of the grid's {Latitudes.Length}×{Longitudes.Length} points.");
        }

        _fields[name] = data;
        return this;
    }

    /// <summary>
    /// Adds the forcing variables of time index <paramref name="timeIndex"/>, broadcast to the grid
    /// (year progress is global, day progress varies with longitude), unless a field of that name is already present.
    /// </summary>
    public GridFields AddForcings(IReadOnlyDictionary<string, ForcingVariable> forcings, int timeIndex)
    {
        var nLat = Latitudes.Length;
        var nLon = Longitudes.Length;
        foreach (var (name, v) in forcings)
        {
            if (Contains(name))
            {
                continue;
            }

            var grid = new float[Nodes];
            var perTime = v.Data.Length / v.Shape[0];
            var slice = v.Data.AsSpan(timeIndex * perTime, perTime);
            for (var i = 0; i < nLat; i++)
            {
                for (var j = 0; j < nLon; j++)
                {
                    grid[(i * nLon) + j] = perTime switch
                    {
                        1 => slice[0],
                        _ when perTime == nLon => slice[j],
                        _ when perTime == Nodes => slice[(i * nLon) + j],
                        _ => throw new ArgumentException($"Forcing '{name}' has {perTime} values per time; expected 1, {nLon} or {Nodes}."),
                    };
                }
            }

            _fields[name] = grid;
        }

        return this;
    }

    /// <summary>
    /// The grid-major frame of <paramref name="layout"/>: <c>[num_grid_nodes, 1, channels]</c> values, node = lat·n_lon + lon,
    /// channel = the layout's (variable, level). Every variable of the layout must be present with its level count.
    /// </summary>
    public float[] ToFrame(ChannelLayout layout)
    {
        var missing = layout.Variables.Where(v => !Contains(v)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"The data lacks {string.Join(", ", missing)}, which the model needs.");
        }

        var n = Nodes;
        var channels = layout.Count;
        var frame = new float[n * channels];
        foreach (var block in layout.Blocks)
        {
            var data = _fields[block.Variable];
            if (data.Length != block.Levels * n)
            {
                throw new ArgumentException($"Field '{block.Variable}' has {data.Length / n} levels; the model needs {block.Levels}.");
            }

            for (var level = 0; level < block.Levels; level++)
            {
                var c = block.ChannelOf(0, level);
                var source = data.AsSpan(level * n, n);
                for (var node = 0; node < n; node++)
                {
                    frame[(node * channels) + c] = source[node];
                }
            }
        }

        return frame;
    }
}
