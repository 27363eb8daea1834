using System.Collections.Immutable;
using System.Text.Json;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Forecasts;

namespace GraphCast.Orleans.Storage.Tests.Forecasts;

/// <summary>The Zarr v2 forecast store: written for a small run, read back by the project's reader, idempotent and conflicting rewrites, bad input.</summary>
public sealed class ZarrForecastStoreTests : IDisposable
{
    private const string Store = "runs/r1/forecast.zarr";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("graphcast-zarr-");
    private readonly LocalDirectoryBlobStore _blobs;

    public ZarrForecastStoreTests()
    {
        _blobs = new LocalDirectoryBlobStore(_root.FullName);
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>2 members, 3 steps, 2 levels, a 3 × 4 grid, one surface and one atmospheric variable.</summary>
    internal static ForecastStoreLayout SmallLayout() =>
        new(
            Members: 2,
            LeadTimesHours: [6, 12, 18],
            Levels: [500, 850],
            Latitudes: [-30f, 0f, 30f],
            Longitudes: [0f, 90f, 180f, 270f],
            InitTime: new DateTime(2022, 6, 15, 12, 0, 0, DateTimeKind.Utc),
            Variables:
            [
                new ForecastVariable("2m_temperature", HasLevels: false, "K", "2 metre temperature"),
                new ForecastVariable("temperature", HasLevels: true, "K", "temperature"),
            ])
        {
            Attributes = ImmutableSortedDictionary.CreateRange<string, string>(
                StringComparer.Ordinal, [new("run_id", "r1"), new("title", "GraphCast ensemble forecast")]),
        };

    /// <summary>A value that differs in every index, exact in float32.</summary>
    internal static float Value(string variable, int member, int step, int point) =>
        (variable == "temperature" ? 200f : 250f) + (member * 10f) + step + (point * 0.125f);

    internal static float[] Chunk(ForecastStoreLayout layout, string variable, int member, int step) =>
        [.. Enumerable.Range(0, layout.ChunkLength(layout.Variable(variable))).Select(p => Value(variable, member, step, p))];

    /// <summary>Writes every chunk of the small layout except temperature of member 1 at step 2.</summary>
    internal static async Task<ZarrForecastWriter> WriteSmallStoreAsync(IBlobStore blobs, string compression = "none")
    {
        var layout = SmallLayout() with { Compressor = GraphCast.Formats.Zarr.ZarrCompressor.Parse(compression) };
        var writer = await ZarrForecastWriter.CreateAsync(blobs, Store, layout);
        foreach (var variable in layout.Variables)
        {
            for (int member = 0; member < layout.Members; member++)
            {
                for (int step = 0; step < layout.LeadTimesHours.Count; step++)
                {
                    if (!(variable.Name == "temperature" && member == 1 && step == 2))
                    {
                        await writer.WriteChunkAsync(variable.Name, member, step, Chunk(layout, variable.Name, member, step));
                    }
                }
            }
        }

        return writer;
    }

    [Theory]
    [InlineData("zlib:6")]
    [InlineData("zstd:3")]
    public async Task A_compressed_store_reads_back_the_exact_values_of_an_uncompressed_one_and_a_rewritten_step_is_accepted(string compression)
    {
        var plain = new LocalDirectoryBlobStore(Path.Combine(_root.FullName, "plain"));
        var packed = new LocalDirectoryBlobStore(Path.Combine(_root.FullName, "packed"));
        await WriteSmallStoreAsync(plain);
        var writer = await WriteSmallStoreAsync(packed, compression);
        var expected = await ZarrForecastReader.OpenAsync(plain, Store);
        var reader = await ZarrForecastReader.OpenAsync(packed, Store);

        Assert.Equal(GraphCast.Formats.Zarr.ZarrCompressor.Parse(compression), reader.Layout.Compressor);
        using (var zarray = System.Text.Json.JsonDocument.Parse((await packed.ReadAsync($"{Store}/temperature/.zarray")).Data))
        {
            Assert.Equal(compression.Split(':')[0], zarray.RootElement.GetProperty("compressor").GetProperty("id").GetString());
            var filter = zarray.RootElement.GetProperty("filters")[0];
            Assert.Equal(("shuffle", 4), (filter.GetProperty("id").GetString(), filter.GetProperty("elementsize").GetInt32()));
        }

        foreach (var variable in expected.Layout.Variables)
        {
            var a = await expected.ReadVariableAsync(variable.Name);
            var b = await reader.ReadVariableAsync(variable.Name);
            Assert.Equal(a.Values.Select(BitConverter.SingleToInt32Bits), b.Values.Select(BitConverter.SingleToInt32Bits));
        }

        // The stored chunk is the codec's, not the raw bytes; writing the same step again (a resumed member) is accepted.
        var raw = GraphCast.Formats.Zarr.ZarrFormat.LittleEndianBytes(Chunk(SmallLayout(), "temperature", 0, 0));
        Assert.NotEqual(raw, (await packed.ReadAsync($"{Store}/temperature/0.0.0.0.0")).Data);
        await writer.WriteChunkAsync("temperature", 0, 0, Chunk(SmallLayout(), "temperature", 0, 0));
    }

    [Fact]
    public async Task Store_reads_back_with_the_same_coordinates_variables_and_attributes()
    {
        await WriteSmallStoreAsync(_blobs);

        var layout = (await ZarrForecastReader.OpenAsync(_blobs, Store)).Layout;

        var expected = SmallLayout();
        Assert.Equal(2, layout.Members);
        Assert.Equal([6L, 12L, 18L], layout.LeadTimesHours);
        Assert.Equal([500, 850], layout.Levels);
        Assert.Equal([-30f, 0f, 30f], layout.Latitudes);
        Assert.Equal([0f, 90f, 180f, 270f], layout.Longitudes);
        Assert.Equal(new DateTime(2022, 6, 15, 12, 0, 0, DateTimeKind.Utc), layout.InitTime);
        Assert.Equal(DateTimeKind.Utc, layout.InitTime.Kind);
        Assert.Equal(expected.Variables, layout.Variables);
        Assert.Equal(expected.Attributes.ToList(), layout.Attributes.ToList());
    }

    [Fact]
    public async Task Variables_read_back_with_exact_shapes_and_values_and_a_missing_chunk_as_NaN()
    {
        await WriteSmallStoreAsync(_blobs);
        var reader = await ZarrForecastReader.OpenForRunAsync(_blobs, "r1");
        var layout = SmallLayout();

        var surface = await reader.ReadVariableAsync("2m_temperature");
        var atmospheric = await reader.ReadVariableAsync("temperature");

        Assert.Equal(["member", "lead_time", "lat", "lon"], surface.Dimensions);
        Assert.Equal([2L, 3L, 3L, 4L], surface.Shape);
        Assert.Equal(["member", "lead_time", "level", "lat", "lon"], atmospheric.Dimensions);
        Assert.Equal([2L, 3L, 2L, 3L, 4L], atmospheric.Shape);
        for (int member = 0; member < 2; member++)
        {
            for (int step = 0; step < 3; step++)
            {
                Assert.Equal(Chunk(layout, "2m_temperature", member, step), surface.Values.AsSpan(((member * 3) + step) * 12, 12).ToArray());
                float[] expected = member == 1 && step == 2 ? [.. Enumerable.Repeat(float.NaN, 24)] : Chunk(layout, "temperature", member, step);
                Assert.Equal(expected, atmospheric.Values.AsSpan(((member * 3) + step) * 24, 24).ToArray());
            }
        }

        // C order within a chunk: level, then lat, then lon (lon fastest).
        Assert.Equal(Value("temperature", 1, 1, (1 * 12) + (2 * 4) + 3), (await reader.ReadChunkAsync("temperature", 1, 1))[(1 * 12) + (2 * 4) + 3]);
        Assert.True(await reader.ChunkExistsAsync("temperature", 1, 1));
        Assert.False(await reader.ChunkExistsAsync("temperature", 1, 2));
    }

    [Fact]
    public async Task Store_has_one_chunk_per_member_step_and_variable_and_consolidated_metadata()
    {
        await WriteSmallStoreAsync(_blobs);

        var names = (await _blobs.ListAsync(Store + "/")).Select(e => e.Name[(Store.Length + 1)..]).ToList();

        string[] coordinates = ["lat", "lead_time", "level", "lon", "member", "time"];
        string[] expected =
        [
            ".zattrs", ".zgroup", ".zmetadata",
            "2m_temperature/.zarray", "2m_temperature/.zattrs",
            .. from m in new[] { 0, 1 } from s in new[] { 0, 1, 2 } select $"2m_temperature/{m}.{s}.0.0",
            .. coordinates.SelectMany(c => new[] { $"{c}/.zarray", $"{c}/.zattrs", $"{c}/0" }),
            "temperature/.zarray", "temperature/.zattrs",
            .. from m in new[] { 0, 1 } from s in new[] { 0, 1, 2 } where !(m == 1 && s == 2) select $"temperature/{m}.{s}.0.0.0",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), names);
        Assert.Equal(24L * sizeof(float), (await _blobs.GetPropertiesAsync($"{Store}/temperature/0.1.0.0.0"))!.Length);
    }

    [Fact]
    public async Task An_init_time_on_a_whole_minute_reads_back_exactly()
    {
        var layout = SmallLayout() with { InitTime = new DateTime(2026, 12, 2, 14, 7, 0, DateTimeKind.Utc) };
        await ZarrForecastWriter.CreateAsync(_blobs, Store, layout);

        Assert.Equal(layout.InitTime, (await ZarrForecastReader.OpenAsync(_blobs, Store)).Layout.InitTime);
        Assert.Equal(BitConverter.GetBytes(29_937_007L), (await _blobs.ReadAsync($"{Store}/time/0")).Data);
    }

    [Fact]
    public async Task A_store_written_in_hours_before_minute_cycles_still_reads()
    {
        await WriteSmallStoreAsync(_blobs);
        // What the writer wrote before init times were counted in minutes: hours since 1970 in the chunk and the units.
        var folder = Path.Combine(_root.FullName, Store);
        await File.WriteAllBytesAsync(Path.Combine(folder, "time", "0"), BitConverter.GetBytes(459_804L));
        foreach (var file in new[] { Path.Combine(folder, "time", ".zattrs"), Path.Combine(folder, ".zmetadata") })
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.Contains("minutes since 1970-01-01 00:00:00", text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(file, text.Replace("minutes since", "hours since", StringComparison.Ordinal));
        }

        Assert.Equal(new DateTime(2022, 6, 15, 12, 0, 0, DateTimeKind.Utc), (await ZarrForecastReader.OpenAsync(_blobs, Store)).Layout.InitTime);
    }

    [Fact]
    public async Task Array_metadata_follows_zarr_v2_and_cf_conventions()
    {
        await WriteSmallStoreAsync(_blobs);

        using var temperature = await JsonAsync("temperature/.zarray");
        using var temperatureAttributes = await JsonAsync("temperature/.zattrs");
        using var leadTime = await JsonAsync("lead_time/.zattrs");
        using var time = await JsonAsync("time/.zarray");
        using var timeAttributes = await JsonAsync("time/.zattrs");
        using var consolidated = await JsonAsync(".zmetadata");

        Assert.Equal(
            """{"chunks":[1,1,2,3,4],"compressor":null,"dtype":"\u003Cf4","fill_value":"NaN","filters":null,"order":"C","shape":[2,3,2,3,4],"zarr_format":2}""",
            Compact(temperature));
        Assert.Equal(
            """{"_ARRAY_DIMENSIONS":["member","lead_time","level","lat","lon"],"coordinates":"time","long_name":"temperature","units":"K"}""",
            Compact(temperatureAttributes));
        Assert.Equal("""{"_ARRAY_DIMENSIONS":["lead_time"],"long_name":"forecast lead time","units":"hours"}""", Compact(leadTime));
        Assert.Equal(
            """{"chunks":[],"compressor":null,"dtype":"\u003Ci8","fill_value":null,"filters":null,"order":"C","shape":[],"zarr_format":2}""",
            Compact(time));
        Assert.Equal("minutes since 1970-01-01 00:00:00", timeAttributes.RootElement.GetProperty("units").GetString());
        Assert.Equal("proleptic_gregorian", timeAttributes.RootElement.GetProperty("calendar").GetString());
        Assert.Equal(BitConverter.GetBytes(459_804L * 60), (await _blobs.ReadAsync($"{Store}/time/0")).Data);
        Assert.Equal(1, consolidated.RootElement.GetProperty("zarr_consolidated_format").GetInt32());
        Assert.Equal(Compact(temperature), JsonSerializer.Serialize(consolidated.RootElement.GetProperty("metadata").GetProperty("temperature/.zarray")));
        Assert.Equal(
            [".zattrs", ".zgroup", "2m_temperature/.zarray", "2m_temperature/.zattrs", "lat/.zarray", "lat/.zattrs", "lead_time/.zarray", "lead_time/.zattrs",
             "level/.zarray", "level/.zattrs", "lon/.zarray", "lon/.zattrs", "member/.zarray", "member/.zattrs", "temperature/.zarray", "temperature/.zattrs",
             "time/.zarray", "time/.zattrs"],
            consolidated.RootElement.GetProperty("metadata").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Chunks_are_little_endian_float32_in_c_order()
    {
        var writer = await ZarrForecastWriter.CreateAsync(_blobs, Store, SmallLayout());
        float[] values = [.. Enumerable.Range(0, 12).Select(i => i - 5.5f)];

        await writer.WriteChunkAsync("2m_temperature", 1, 2, values);

        byte[] expected = [.. values.SelectMany(BitConverter.GetBytes)];
        Assert.Equal(expected, (await _blobs.ReadAsync($"{Store}/2m_temperature/1.2.0.0")).Data);
    }

    [Fact]
    public async Task Creating_an_existing_store_again_and_rewriting_a_chunk_identically_succeed()
    {
        var writer = await WriteSmallStoreAsync(_blobs);
        var before = await _blobs.ListAsync(string.Empty);

        var again = await ZarrForecastWriter.CreateAsync(_blobs, Store, SmallLayout());
        await again.WriteChunkAsync("temperature", 0, 1, Chunk(SmallLayout(), "temperature", 0, 1));
        await writer.WriteChunkAsync("2m_temperature", 1, 0, Chunk(SmallLayout(), "2m_temperature", 1, 0));
        var opened = await ZarrForecastWriter.OpenAsync(_blobs, Store);
        await opened.WriteChunkAsync("temperature", 1, 2, Chunk(SmallLayout(), "temperature", 1, 2));

        var after = await _blobs.ListAsync(string.Empty);
        Assert.Equal([.. before, new BlobEntry($"{Store}/temperature/1.2.0.0.0", 96)], after.OrderBy(e => e.Name == $"{Store}/temperature/1.2.0.0.0").ToList());
    }

    [Fact]
    public async Task Rewriting_a_chunk_with_other_values_is_an_error_naming_the_chunk_and_keeps_the_first()
    {
        var writer = await WriteSmallStoreAsync(_blobs);
        float[] other = Chunk(SmallLayout(), "temperature", 0, 1);
        other[5] += 1e-3f;

        var error = await Assert.ThrowsAsync<ForecastStoreConflictException>(() => writer.WriteChunkAsync("temperature", 0, 1, other));

        Assert.Equal($"{Store}/temperature/0.1.0.0.0", error.BlobName);
        Assert.StartsWith($"Chunk '{Store}/temperature/0.1.0.0.0' (temperature, member 0, step 1) already holds different values.", error.Message, StringComparison.Ordinal);
        var reader = await ZarrForecastReader.OpenAsync(_blobs, Store);
        Assert.Equal(Chunk(SmallLayout(), "temperature", 0, 1), await reader.ReadChunkAsync("temperature", 0, 1));
    }

    [Fact]
    public async Task Creating_a_store_over_one_with_other_coordinates_is_an_error()
    {
        await ZarrForecastWriter.CreateAsync(_blobs, Store, SmallLayout());
        byte[] metadata = (await _blobs.ReadAsync($"{Store}/.zmetadata")).Data;

        var error = await Assert.ThrowsAsync<ForecastStoreConflictException>(
            () => ZarrForecastWriter.CreateAsync(_blobs, Store, SmallLayout() with { Latitudes = [-45f, 0f, 45f] }));

        Assert.Equal($"{Store}/lat/0", error.BlobName);
        Assert.StartsWith($"A forecast store already exists at '{Store}' in the local folder '{_root.FullName}' with a different 'lat/0'", error.Message, StringComparison.Ordinal);
        Assert.Equal(metadata, (await _blobs.ReadAsync($"{Store}/.zmetadata")).Data);
    }

    [Fact]
    public async Task Chunks_of_unknown_variables_wrong_length_or_out_of_range_indices_are_refused()
    {
        var writer = await ZarrForecastWriter.CreateAsync(_blobs, Store, SmallLayout());
        float[] surface = new float[12];

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteChunkAsync("geopotential", 0, 0, surface));
        var length = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteChunkAsync("temperature", 0, 0, surface));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.WriteChunkAsync("2m_temperature", 2, 0, surface));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.WriteChunkAsync("2m_temperature", 0, 3, surface));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.WriteChunkAsync("2m_temperature", -1, 0, surface));

        Assert.StartsWith("The forecast store has no variable 'geopotential'; it has '2m_temperature', 'temperature'.", unknown.Message, StringComparison.Ordinal);
        Assert.StartsWith("A chunk of 'temperature' holds 24 values (2 levels × 3 latitudes × 4 longitudes); 12 were given.", length.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await _blobs.ListAsync(Store + "/"), e => e.Name.Contains(".0.0", StringComparison.Ordinal) && !e.Name.Contains("/.z", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> InvalidLayouts => new()
    {
        { "no members", "A forecast needs at least one member; the layout has 0." },
        { "no steps", "A forecast needs at least one lead time (step); the layout has none." },
        { "unordered lead times", "Lead times must be non-negative and strictly increasing; lead time 2 is 12 h after 12 h." },
        { "init with seconds", "The init time 2022-06-15T12:30:15.0000000Z must be on a whole minute, after 1970: the store records it in minutes since 1970-01-01." },
        { "duplicate variable", "The variable 'temperature' is listed twice." },
        { "coordinate name", "'lat' cannot name a variable: names starting with '.' are Zarr metadata and lat, lead_time, level, lon, member, time are coordinates." },
        { "path variable", "'a/b' is not a valid variable name: it contains '/', which would make it a path of several segments." },
        { "levels without levels", "'temperature' is atmospheric (has levels) but the layout has no pressure levels." },
    };

    [Theory]
    [MemberData(nameof(InvalidLayouts))]
    public async Task Invalid_layouts_are_refused_with_the_reason_and_write_nothing(string problem, string message)
    {
        var layout = SmallLayout();
        var surface = layout.Variables[0];
        var atmospheric = layout.Variables[1];
        layout = problem switch
        {
            "no members" => layout with { Members = 0 },
            "no steps" => layout with { LeadTimesHours = [] },
            "unordered lead times" => layout with { LeadTimesHours = [6, 12, 12] },
            "init with seconds" => layout with { InitTime = layout.InitTime.AddSeconds(30 * 60 + 15) },
            "duplicate variable" => layout with { Variables = [surface, atmospheric, atmospheric] },
            "coordinate name" => layout with { Variables = [surface with { Name = "lat" }] },
            "path variable" => layout with { Variables = [surface with { Name = "a/b" }] },
            "levels without levels" => layout with { Levels = [] },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ZarrForecastWriter.CreateAsync(_blobs, Store, layout));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(await _blobs.ListAsync(string.Empty));
    }

    [Fact]
    public async Task A_run_id_that_would_leave_its_prefix_creates_no_store()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ZarrForecastWriter.CreateForRunAsync(_blobs, "../r2", SmallLayout()));

        Assert.StartsWith("'../r2' is not a valid run id", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _blobs.ListAsync(string.Empty));
    }

    private static string Compact(JsonDocument document) => JsonSerializer.Serialize(document.RootElement);

    private async Task<JsonDocument> JsonAsync(string key) => JsonDocument.Parse((await _blobs.ReadAsync($"{Store}/{key}")).Data);
}
