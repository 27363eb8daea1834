using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using GraphCast.Data.Datasets;
using GraphCast.Data.InitialConditions;
using GraphCast.Formats.IO;
using GraphCast.Formats.Npy;
using GraphCast.Formats.Safetensors;
using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Storage.InitialConditions;

/// <summary>
/// A run's prepared initial condition: the model-grid input frames read once from the user's data (by the client, where the
/// file is), stored as <c>runs/{runId}/initial.safetensors</c> (create-only) and named in the spec by its SHA-256, so that every
/// member, on whatever silo, builds its carry from the same bytes and a resume is deterministic.
/// </summary>
/// <remarks>
/// <para>
/// The spec's initial condition reads <c>prepared:sha256:{hex}</c>, the hash of the whole blob. The blob holds one float32
/// tensor <c>frame_{i}/{variable}</c> <c>[levels, lat, lon]</c> per input frame (oldest first) and non-forcing input, the grid
/// (<c>latitude</c>, <c>longitude</c>) and metadata: format, init time, the source file's name, the fill policy and what it filled.
/// </para>
/// <para>Members read and verify it; a blob whose hash is not the spec's is an error, never a silent fallback.</para>
/// <para>
/// At 0.25° the blob is ~1.9 GB, close to the ~2 GiB one .NET array holds, so it streams: preparing serialises into a
/// temporary file (<see cref="BlobSpoolFile"/>, in <c>TMPDIR</c>) that is hashed and uploaded, and reading parses
/// <see cref="IBlobStore.OpenReadAsync"/>'s stream while hashing it, one tensor per array (at most
/// <see cref="Array.MaxLength"/> bytes: one variable of one frame). The name's SHA-256 is of the same bytes as ever, so
/// prepared names are stable. The SHA-256 checked on read is the spec's, not the one <see cref="AzureBlobStore"/> records at
/// upload (only its whole-blob read checks that): the spec's is the stronger check anyway.
/// </para>
/// </remarks>
public sealed class InitialConditionStore(IBlobStore blobs)
{
    /// <summary>The prefix of a prepared initial condition in <see cref="ForecastSpec.InitialCondition"/>.</summary>
    public const string Prefix = "prepared:sha256:";

    /// <summary>Header value naming this layout.</summary>
    public const string Format = "graphcast.initial-condition/1";

    /// <summary>Whether <paramref name="initialCondition"/> names a prepared blob.</summary>
    public static bool IsPrepared(string initialCondition) =>
        initialCondition.StartsWith(Prefix, StringComparison.Ordinal) && initialCondition.Length == Prefix.Length + 64
        && initialCondition.AsSpan(Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary><c>runs/{runId}/initial.safetensors</c>.</summary>
    public static string BlobName(string runId) => RunLayout.RunPrefix(runId) + "initial.safetensors";

    /// <summary>
    /// Writes the safetensors bytes of <paramref name="condition"/> to <paramref name="destination"/> (deterministic: same
    /// frames and metadata, same bytes, so the same prepared name).
    /// </summary>
    public static async Task SerializeAsync(
        Stream destination, DatasetInitialCondition condition, DateTime initTime, string sourceName, FillPolicy fill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(condition);
        var frames = condition.Frames;
        var grid = frames[^1];
        var tensors = new List<KeyValuePair<string, NpyArray>>
        {
            new("latitude", Float32(grid.Latitudes, [grid.Latitudes.Length])),
            new("longitude", Float32(grid.Longitudes, [grid.Longitudes.Length])),
        };
        for (var f = 0; f < frames.Count; f++)
        {
            foreach (var name in frames[f].Names.Order(StringComparer.Ordinal))
            {
                var data = frames[f][name];
                tensors.Add(new($"frame_{f}/{name}", Float32(data, [data.Length / grid.Nodes, grid.Latitudes.Length, grid.Longitudes.Length])));
            }
        }

        var metadata = new List<KeyValuePair<string, string>>
        {
            new("format", Format),
            new("init_time", initTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new("frames", frames.Count.ToString(CultureInfo.InvariantCulture)),
            new("source", sourceName),
            new("fill", FillPolicies.Format(fill)),
            new("filled", string.Join("; ", condition.Filled)),
        };
        await SafetensorsFormat.WriteAsync(destination, tensors, metadata, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the prepared initial condition of <paramref name="runId"/> (create-only) from <paramref name="content"/>'s
    /// position to its end, and returns the spec's <see cref="ForecastSpec.InitialCondition"/> for it: the SHA-256 of those bytes.
    /// </summary>
    /// <param name="content">The bytes <see cref="SerializeAsync"/> wrote; readable and seekable (it is read twice: hash, upload).</param>
    /// <exception cref="ArgumentException">The run already has a different prepared initial condition, or the stream cannot seek.</exception>
    public async Task<string> WriteAsync(string runId, Stream content, CancellationToken cancellationToken = default)
    {
        var name = BlobName(runId);
        ContentHash.RequireSeekable(content, nameof(content));
        long start = content.Position;
        var (sha256, _) = await ContentHash.OfStreamAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = start;
        if (!await blobs.TryCreateAsync(name, content, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException(
                $"Run '{runId}' already has a different initial condition ({name} in {blobs.Location}); use another --run-id.");
        }

        return Prefix + sha256;
    }

    /// <summary>
    /// Reads the initial condition of <paramref name="model"/> and <paramref name="task"/> at <paramref name="initTime"/> from
    /// <paramref name="dataset"/> on the model's grid, stores it for run <paramref name="runId"/> and returns the spec's
    /// initial condition with what was filled. Bad input throws before anything is written.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset lacks times or inputs, holds NaNs, or the run has another initial condition.</exception>
    public async Task<(string InitialCondition, DatasetInitialCondition Condition)> PrepareAsync(
        string runId, IGriddedDataset dataset, ModelConfig model, TaskConfig task, DateTime initTime, FillPolicy fill, int member = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var grid = GraphCast.Model.Geometry.GraphCastGraphSpec.RegularGrid(model.Resolution, model.MeshSize, model.RadiusQueryFractionEdgeLength, model.Mesh2GridEdgeNormalizationFactor);
        return await PrepareAsync(runId, dataset, task, grid.GridLatitudes, grid.GridLongitudes, initTime, fill, member, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the initial condition of <paramref name="task"/> on the grid (<paramref name="latitudes"/>,
    /// <paramref name="longitudes"/>) at <paramref name="initTime"/> from <paramref name="dataset"/>, stores it for run
    /// <paramref name="runId"/> and returns the spec's initial condition with what was filled: for a client that has the
    /// model's grid and task from the model catalog (<see cref="IModelCatalogGrain.GetInputsAsync"/>). Bad input throws
    /// before anything is written.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset lacks times or inputs, holds NaNs, or the run has another initial condition.</exception>
    public async Task<(string InitialCondition, DatasetInitialCondition Condition)> PrepareAsync(
        string runId, IGriddedDataset dataset, TaskConfig task, float[] latitudes, float[] longitudes, DateTime initTime, FillPolicy fill, int member = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        RunLayout.ValidateRunId(runId);
        var condition = DatasetInitialCondition.Read(dataset, task, latitudes, longitudes, initTime, fill, member);
        // Spooled to a temporary file, not a byte array: at 0.25° the blob is ~1.9 GB (see the remarks).
        var content = BlobSpoolFile.Create("initial-condition");
        await using (content.ConfigureAwait(false))
        {
            await SerializeAsync(content, condition, initTime, Path.GetFileName(dataset.Source.TrimEnd('/')), fill, cancellationToken).ConfigureAwait(false);
            content.Position = 0;
            return (await WriteAsync(runId, content, cancellationToken).ConfigureAwait(false), condition);
        }
    }

    /// <summary>Deletes the prepared blob of a run that was never created (its submission was refused).</summary>
    public Task<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default) => blobs.DeleteAsync(BlobName(runId), cancellationToken);

    /// <summary>Checks that the blob the spec names exists (its content is verified by every member that reads it).</summary>
    /// <exception cref="ArgumentException">It is missing.</exception>
    public async Task RequireAsync(ForecastSpec spec, CancellationToken cancellationToken = default)
    {
        var name = BlobName(spec.RunId);
        if (await blobs.GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is not { } properties)
        {
            throw new ArgumentException(
                $"Run '{spec.RunId}' names a prepared initial condition, but {name} is not in {blobs.Location}. Submit with 'graphcast forecast --init FILE', which prepares it.");
        }

        if (properties.ContentSha256 is { } sha && Prefix + sha != spec.InitialCondition)
        {
            throw new ArgumentException($"{name} in {blobs.Location} has SHA-256 {sha}, not the spec's {spec.InitialCondition[Prefix.Length..]}; it belongs to another submission.");
        }
    }

    /// <summary>
    /// The input frames the spec names, verified against its hash, the model's grid, the task's inputs and the init time.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing, altered, or prepared for another model or time; the message says which.</exception>
    public async Task<IReadOnlyList<GridFields>> ReadAsync(ForecastSpec spec, TaskConfig task, float[] latitudes, float[] longitudes, CancellationToken cancellationToken = default)
    {
        var name = BlobName(spec.RunId);
        Stream blob;
        try
        {
            blob = await blobs.OpenReadAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new InvalidDataException($"The prepared initial condition {name} is missing from {blobs.Location}.", e);
        }

        // One pass: the blob is hashed as it is parsed. A blob that fails to parse is still hashed to its end, so that an
        // altered blob is reported as altered (the hash is the verdict) and a parse error only for the bytes the spec names.
        SafetensorsContent? content = null;
        InvalidDataException? malformed = null;
        string sha256;
        await using (blob.ConfigureAwait(false))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var hashed = new ObservedReadStream(blob, hash.AppendData);
            try
            {
                content = await SafetensorsFormat.ReadAsync(hashed, name, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                malformed = e;
            }

            await hashed.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        if (Prefix + sha256 != spec.InitialCondition)
        {
            throw new InvalidDataException(
                $"{name} has SHA-256 {sha256}, but the run's spec names {spec.InitialCondition[Prefix.Length..]}: the blob was altered.", malformed);
        }

        if (malformed is not null)
        {
            // The spec's own bytes do not parse: a blob of another format version, not an alteration.
            ExceptionDispatchInfo.Throw(malformed);
        }

        return FramesOf(content!, name, task, spec.InitTime, latitudes, longitudes);
    }

    /// <summary>The frames of a prepared blob's content, checked against the model it is for.</summary>
    private static List<GridFields> FramesOf(SafetensorsContent content, string name, TaskConfig task, DateTime initTime, float[] latitudes, float[] longitudes)
    {
        // Each tensor is taken out as it becomes a float[], so that its bytes can be collected: the frames are never held twice.
        var tensors = new Dictionary<string, NpyArray>(content.Tensors, StringComparer.Ordinal);
        content.Tensors.Clear();
        string Meta(string key) => content.Metadata.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{name} has no '{key}' metadata.");
        if (Meta("format") != Format)
        {
            throw new InvalidDataException($"{name} has format '{Meta("format")}'; this version reads '{Format}'.");
        }

        var recordedTime = DateTime.Parse(Meta("init_time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        if (recordedTime != initTime)
        {
            throw new InvalidDataException($"{name} was prepared for init time {recordedTime:yyyy-MM-ddTHH:mm}Z, not the run's {initTime:yyyy-MM-ddTHH:mm}Z.");
        }

        float[] Floats(string key) => tensors.Remove(key, out var a) && a.Dtype == NpyDtype.Float32
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(a.Data).ToArray()
            : throw new InvalidDataException($"{name} has no float32 tensor '{key}'.");
        if (!Floats("latitude").SequenceEqual(latitudes) || !Floats("longitude").SequenceEqual(longitudes))
        {
            throw new InvalidDataException($"{name} is on another grid than the model's {latitudes.Length} × {longitudes.Length} points; prepare it for this model.");
        }

        var frames = new List<GridFields>();
        var wanted = task.InputVariables.Where(v => !task.ForcingVariables.Contains(v)).Distinct().ToArray();
        for (var f = 0; f < task.InputFrames; f++)
        {
            var fields = new GridFields(latitudes, longitudes);
            foreach (var v in wanted)
            {
                var values = Floats($"frame_{f}/{v}");
                if (values.Length != task.LevelsOf(v) * fields.Nodes)
                {
                    throw new InvalidDataException($"{name}: '{v}' of frame {f} has {values.Length / fields.Nodes} levels; the model needs {task.LevelsOf(v)}.");
                }

                fields.Set(v, values);
            }

            frames.Add(fields);
        }

        return frames;
    }

    private static NpyArray Float32(float[] values, long[] shape)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return new NpyArray(NpyDtype.Float32, shape, bytes);
    }
}
