using GraphCast.Formats.Zarr;
using System.Collections.Immutable;
using System.Globalization;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>The shape of a run's forecast store: its coordinates (members, lead times, levels, grid, init time) and its output variables.</summary>
/// <param name="Members">Ensemble size M; the <c>member</c> coordinate is 0 … M−1.</param>
/// <param name="LeadTimesHours">Lead time of each step in hours, strictly increasing (step s is <c>LeadTimesHours[s]</c>).</param>
/// <param name="Levels">Pressure levels in hPa, in the order atmospheric variables hold them; empty when there are none.</param>
/// <param name="Latitudes">Grid latitudes in degrees north.</param>
/// <param name="Longitudes">Grid longitudes in degrees east.</param>
/// <param name="InitTime">The initialisation time, UTC, on a whole minute (stored as minutes since 1970; stores written before minute cycles hold hours).</param>
/// <param name="Variables">The output variables, one Zarr array each.</param>
public sealed record ForecastStoreLayout(
    int Members,
    IReadOnlyList<long> LeadTimesHours,
    IReadOnlyList<int> Levels,
    IReadOnlyList<float> Latitudes,
    IReadOnlyList<float> Longitudes,
    DateTime InitTime,
    IReadOnlyList<ForecastVariable> Variables)
{
    /// <summary>Dimension and coordinate array names, as xarray sees them.</summary>
    public const string MemberDimension = "member";

    /// <inheritdoc cref="MemberDimension"/>
    public const string LeadTimeDimension = "lead_time";

    /// <inheritdoc cref="MemberDimension"/>
    public const string LevelDimension = "level";

    /// <inheritdoc cref="MemberDimension"/>
    public const string LatitudeDimension = "lat";

    /// <inheritdoc cref="MemberDimension"/>
    public const string LongitudeDimension = "lon";

    /// <summary>The scalar coordinate holding <see cref="InitTime"/>.</summary>
    public const string TimeCoordinate = "time";

    /// <summary>
    /// The CF units of <see cref="TimeCoordinate"/> (int64): minutes, so that a schedule's cycle may start on any whole minute
    /// while the value stays an exact integer that xarray and netCDF tools decode. Readers also accept the hours of stores
    /// written before (<c>hours since 1970-01-01 00:00:00</c>).
    /// </summary>
    public const string TimeUnits = "minutes since 1970-01-01 00:00:00";

    private static readonly ImmutableHashSet<string> CoordinateNames =
        [MemberDimension, LeadTimeDimension, LevelDimension, LatitudeDimension, LongitudeDimension, TimeCoordinate];

    /// <summary>The lossless codec of the variables' chunks (coordinates are always stored raw).</summary>
    public ZarrCompressor Compressor { get; init; } = ZarrCompressor.None;

    /// <summary>Global attributes of the store (title, run id, model…), written to the root <c>.zattrs</c>.</summary>
    public ImmutableSortedDictionary<string, string> Attributes { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>The variable named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The store has no such variable; the message lists those it has.</exception>
    public ForecastVariable Variable(string name) =>
        Variables.FirstOrDefault(v => v.Name == name) ?? throw new ArgumentException(
            $"The forecast store has no variable '{name}'; it has {string.Join(", ", Variables.Select(v => $"'{v.Name}'"))}.", nameof(name));

    /// <summary>The dims of <paramref name="variable"/>'s array.</summary>
    public IReadOnlyList<string> DimensionsOf(ForecastVariable variable) => variable.HasLevels
        ? [MemberDimension, LeadTimeDimension, LevelDimension, LatitudeDimension, LongitudeDimension]
        : [MemberDimension, LeadTimeDimension, LatitudeDimension, LongitudeDimension];

    /// <summary>The shape of <paramref name="variable"/>'s array.</summary>
    public IReadOnlyList<long> ShapeOf(ForecastVariable variable) => variable.HasLevels
        ? [Members, LeadTimesHours.Count, Levels.Count, Latitudes.Count, Longitudes.Count]
        : [Members, LeadTimesHours.Count, Latitudes.Count, Longitudes.Count];

    /// <summary>Values in one chunk of <paramref name="variable"/>: one member and step, all levels and grid points.</summary>
    public int ChunkLength(ForecastVariable variable) => (variable.HasLevels ? Levels.Count : 1) * Latitudes.Count * Longitudes.Count;

    /// <summary>Throws unless the layout can be written: every problem is named with the fix.</summary>
    /// <exception cref="ArgumentException">The first problem found.</exception>
    public void Validate()
    {
        static ArgumentException Bad(string message) => new(message, "layout");
        if (Members < 1)
        {
            throw Bad($"A forecast needs at least one member; the layout has {Members}.");
        }

        ArgumentNullException.ThrowIfNull(LeadTimesHours);
        ArgumentNullException.ThrowIfNull(Levels);
        ArgumentNullException.ThrowIfNull(Latitudes);
        ArgumentNullException.ThrowIfNull(Longitudes);
        ArgumentNullException.ThrowIfNull(Variables);
        if (LeadTimesHours.Count == 0)
        {
            throw Bad("A forecast needs at least one lead time (step); the layout has none.");
        }

        for (int i = 0; i < LeadTimesHours.Count; i++)
        {
            if (LeadTimesHours[i] < 0 || (i > 0 && LeadTimesHours[i] <= LeadTimesHours[i - 1]))
            {
                throw Bad($"Lead times must be non-negative and strictly increasing; lead time {i} is {LeadTimesHours[i]} h after {(i > 0 ? $"{LeadTimesHours[i - 1]} h" : "nothing")}.");
            }
        }

        if (Levels.Distinct().Count() != Levels.Count || Levels.Any(level => level <= 0))
        {
            throw Bad($"Pressure levels must be positive and distinct; the layout has [{string.Join(", ", Levels)}].");
        }

        if (Latitudes.Count == 0 || Longitudes.Count == 0)
        {
            throw Bad($"The grid is empty ({Latitudes.Count} latitudes × {Longitudes.Count} longitudes).");
        }

        if (Latitudes.Any(lat => !float.IsFinite(lat) || lat is < -90 or > 90) || Longitudes.Any(lon => !float.IsFinite(lon)))
        {
            throw Bad("Latitudes must be finite and within [-90, 90], and longitudes finite.");
        }

        if (InitTime.Kind == DateTimeKind.Local)
        {
            throw Bad($"The init time {InitTime:O} is local time; give it in UTC (DateTimeKind.Utc).");
        }

        if (InitTime.Ticks % TimeSpan.TicksPerMinute != 0 || InitTime < DateTime.UnixEpoch)
        {
            throw Bad($"The init time {InitTime.ToString("O", CultureInfo.InvariantCulture)} must be on a whole minute, after 1970: the store records it in minutes since 1970-01-01.");
        }

        if (Variables.Count == 0)
        {
            throw Bad("A forecast store needs at least one output variable.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variable in Variables)
        {
            ArgumentNullException.ThrowIfNull(variable);
            BlobName.ValidateSegment(variable.Name, "variable name", "layout");
            if (variable.Name.StartsWith('.') || CoordinateNames.Contains(variable.Name))
            {
                throw Bad($"'{variable.Name}' cannot name a variable: names starting with '.' are Zarr metadata and {string.Join(", ", CoordinateNames.Order(StringComparer.Ordinal))} are coordinates.");
            }

            if (!names.Add(variable.Name))
            {
                throw Bad($"The variable '{variable.Name}' is listed twice.");
            }

            if (variable.HasLevels && Levels.Count == 0)
            {
                throw Bad($"'{variable.Name}' is atmospheric (has levels) but the layout has no pressure levels.");
            }

            ArgumentNullException.ThrowIfNull(variable.Units, "layout");
            ArgumentNullException.ThrowIfNull(variable.LongName, "layout");
        }

        foreach (var (key, value) in Attributes)
        {
            if (string.IsNullOrEmpty(key) || value is null)
            {
                throw Bad("Store attributes need non-empty keys and non-null values.");
            }
        }
    }
}
