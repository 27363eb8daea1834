using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GraphCast.Formats.Npy;
using GraphCast.Formats.Safetensors;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Storage.Checkpoints;

/// <summary>Ensemble members' checkpoints in a blob store: safetensors files written once per step, verified on load, newest valid one found by listing.</summary>
/// <remarks>
/// <para>
/// Layout: <c>runs/{runId}/members/{member}/checkpoints/{step:D6}.safetensors</c> (<see cref="RunLayout"/>). The header
/// metadata holds <see cref="FormatKey"/>, the step, spec hash, model hash, device and dtype, the caller's extra entries
/// (prefixed <c>extra.</c>) and <see cref="ContentSha256Key"/>: a SHA-256 computed at write and verified at load over
/// every other metadata entry and every tensor's name, dtype, shape and bytes, so a flipped bit anywhere in the data or
/// a damaged header entry is caught, not only a truncation.
/// </para>
/// <para>
/// Tensors cross the boundary as <see cref="NpyArray"/> host arrays; converting to and from device tensors is the
/// caller's (synchronous) business.
/// </para>
/// <para>
/// Checkpoints stream through storage, so their total size has no limit of its own (a 0.25° carry of two input frames and
/// the statics is ~1.9 GB, close to the ~2 GiB that one .NET array or <see cref="MemoryStream"/> holds). A write
/// serialises the caller's arrays into a temporary file (<see cref="BlobSpoolFile"/>: in <c>TMPDIR</c>, deleted when the
/// write returns) and uploads that file; a read (<see cref="IBlobStore.OpenReadAsync"/>) parses the header and then reads
/// each tensor straight into its own array. Managed memory is the caller's tensors plus small buffers; the limit that
/// remains is one tensor per array, <see cref="Array.MaxLength"/> bytes (a 0.25° frame of 227 channels is ~0.94 GB).
/// </para>
/// <para>
/// Integrity rests on <see cref="ContentSha256Key"/>, which every load verifies. Streamed reads do not check the hash
/// that <see cref="AzureBlobStore"/> records at upload (only its whole-blob <see cref="IBlobStore.ReadAsync"/> does), so
/// the content SHA-256 is the one check of the bytes: a truncated, garbled or altered blob is a
/// <see cref="CorruptCheckpointException"/> whichever backend holds it.
/// </para>
/// </remarks>
public sealed class RolloutCheckpointStore
{
    /// <summary>Header key naming this layout of metadata; loading refuses other values.</summary>
    public const string FormatKey = "format";

    /// <summary>The value of <see cref="FormatKey"/> this store writes and reads.</summary>
    public const string Format = "graphcast.member-checkpoint/1";

    /// <summary>Header key of the content checksum (lower-case hex SHA-256).</summary>
    public const string ContentSha256Key = "content_sha256";

    private const string StepKey = "step";
    private const string SpecHashKey = "spec_hash";
    private const string ModelHashKey = "model_hash";
    private const string DeviceKey = "device";
    private const string DtypeKey = "dtype";
    private const string ExtraPrefix = "extra.";

    private readonly IBlobStore _blobs;
    private readonly ILogger _logger;

    /// <summary>A checkpoint store over <paramref name="blobs"/>.</summary>
    public RolloutCheckpointStore(IBlobStore blobs, ILogger<RolloutCheckpointStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        _blobs = blobs;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Writes member <paramref name="member"/>'s checkpoint for <paramref name="metadata"/>'s step, create-only.
    /// </summary>
    /// <param name="tensors">Named host arrays, kept in this order (names unique and non-empty; no unicode arrays).</param>
    /// <returns>
    /// <see cref="CheckpointWriteOutcome.Written"/> also when identical bytes were already there (a retry);
    /// <see cref="CheckpointWriteOutcome.ReplacedCorrupt"/> when a corrupt blob held the name.
    /// </returns>
    /// <exception cref="ArgumentException">A bad run id, member, step, metadata value or tensor name; nothing is written.</exception>
    /// <exception cref="CheckpointConflictException">A valid checkpoint with other content already holds the step.</exception>
    public async Task<CheckpointWriteOutcome> WriteAsync(
        string runId, int member, RolloutCheckpointMetadata metadata, IEnumerable<KeyValuePair<string, NpyArray>> tensors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        string name = RunLayout.Checkpoint(runId, member, metadata.Step);
        return await WriteBlobAsync(name, runId, member, metadata, tensors, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a checkpoint under <paramref name="checkpointPrefix"/> (e.g. a region's
    /// <see cref="RunLayout.RegionCheckpointPrefix"/>) as <c>{step:D6}.safetensors</c>, with the semantics of <see cref="WriteAsync"/>.
    /// </summary>
    public async Task<CheckpointWriteOutcome> WriteUnderAsync(
        string checkpointPrefix, RolloutCheckpointMetadata metadata, IEnumerable<KeyValuePair<string, NpyArray>> tensors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        return await WriteBlobAsync(NameUnder(checkpointPrefix, metadata.Step), checkpointPrefix, -1, metadata, tensors, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CheckpointWriteOutcome> WriteBlobAsync(
        string name, string runId, int member, RolloutCheckpointMetadata metadata, IEnumerable<KeyValuePair<string, NpyArray>> tensors, CancellationToken cancellationToken)
    {
        using var activity = EngineTelemetry.Source.StartActivity("checkpoint.write");
        activity?.SetTag("graphcast.run_id", runId);
        activity?.SetTag("graphcast.member", member);
        activity?.SetTag("graphcast.step", metadata.Step);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var entries = tensors.ToList();
        var header = HeaderOf(metadata);
        header.Add(new(ContentSha256Key, ContentSha256(header, entries)));

        // Spooled to a temporary file, not a MemoryStream: a 0.25° checkpoint is ~1.9 GB (see the remarks).
        var content = BlobSpoolFile.Create("checkpoint");
        await using var spooled = content.ConfigureAwait(false);
        await SafetensorsFormat.WriteAsync(content, entries, header, cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; ; attempt++)
        {
            content.Position = 0;
            if (await _blobs.TryCreateAsync(name, content, cancellationToken).ConfigureAwait(false))
            {
                EngineTelemetry.CheckpointBytes.Add(content.Length);
                EngineTelemetry.CheckpointDuration.Record(clock.Elapsed.TotalSeconds);
                return CheckpointWriteOutcome.Written;
            }

            // Another checkpoint holds the step. A corrupt one is replaced (a member that fell back past it recomputes it).
            Checkpoint existing;
            try
            {
                existing = await LoadBlobAsync(name, metadata.Step, cancellationToken).ConfigureAwait(false);
            }
            catch (CorruptCheckpointException corrupt) when (attempt == 0)
            {
                if (await _blobs.GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is not { } stale)
                {
                    continue;
                }

                try
                {
                    content.Position = 0;
                    await _blobs.WriteAsync(name, content, stale.ETag, cancellationToken).ConfigureAwait(false);
                    StorageLog.CorruptCheckpointReplaced(_logger, name, corrupt.Reason);
                    return CheckpointWriteOutcome.ReplacedCorrupt;
                }
                catch (BlobETagMismatchException)
                {
                    // Replaced by another writer meanwhile: look again at what is there now.
                    continue;
                }
            }
            catch (BlobNotFoundException) when (attempt == 0)
            {
                continue;
            }

            throw new CheckpointConflictException(name, Difference(existing.Metadata, metadata));
        }
    }

    /// <summary>The steps that have a checkpoint blob for the member (valid or not), ascending.</summary>
    public Task<IReadOnlyList<int>> ListStepsAsync(string runId, int member, CancellationToken cancellationToken = default) =>
        ListStepsUnderAsync(RunLayout.CheckpointPrefix(runId, member), cancellationToken);

    /// <summary>The steps that have a checkpoint blob directly under <paramref name="prefix"/>, ascending.</summary>
    public async Task<IReadOnlyList<int>> ListStepsUnderAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var listed = await _blobs.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        var steps = new List<int>(listed.Count);
        foreach (var entry in listed)
        {
            // Only direct children named {step:D6}.safetensors: anything else under the prefix is not a checkpoint.
            if (entry.Name.IndexOf('/', prefix.Length) < 0 && RunLayout.TryParseCheckpointStep(entry.Name, out int step))
            {
                steps.Add(step);
            }
        }

        steps.Sort();
        return steps;
    }

    /// <summary>Loads and verifies the member's checkpoint of <paramref name="step"/>.</summary>
    /// <exception cref="BlobNotFoundException">There is none.</exception>
    /// <exception cref="CorruptCheckpointException">It is truncated, fails its checksum or has a malformed header.</exception>
    public Task<Checkpoint> LoadAsync(string runId, int member, int step, CancellationToken cancellationToken = default) =>
        LoadBlobAsync(RunLayout.Checkpoint(runId, member, step), step, cancellationToken);

    /// <summary>
    /// The member's newest checkpoint that verifies, trying newest first and skipping (and logging) corrupt ones, and
    /// checking that it belongs to <paramref name="expectedSpecHash"/> and <paramref name="expectedModelHash"/>.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">
    /// The newest valid checkpoint has another spec or model hash: an error naming both, not a reason to fall back.
    /// </exception>
    public async Task<LatestCheckpoint> LoadLatestValidAsync(
        string runId, int member, string expectedSpecHash, string expectedModelHash, CancellationToken cancellationToken = default)
    {
        return await LoadLatestValidUnderAsync(RunLayout.CheckpointPrefix(runId, member), expectedSpecHash, expectedModelHash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest valid checkpoint under <paramref name="prefix"/>, as <see cref="LoadLatestValidAsync"/> finds a member's.</summary>
    public async Task<LatestCheckpoint> LoadLatestValidUnderAsync(
        string prefix, string expectedSpecHash, string expectedModelHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedSpecHash);
        ArgumentException.ThrowIfNullOrEmpty(expectedModelHash);
        var steps = await ListStepsUnderAsync(prefix, cancellationToken).ConfigureAwait(false);
        var rejected = new List<RejectedCheckpoint>();
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            string name = NameUnder(prefix, steps[i]);
            Checkpoint checkpoint;
            try
            {
                checkpoint = await LoadBlobAsync(name, steps[i], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CorruptCheckpointException or BlobNotFoundException)
            {
                string reason = e is CorruptCheckpointException corrupt ? corrupt.Reason : "it was deleted while being read";
                rejected.Add(new RejectedCheckpoint(name, steps[i], reason));
                StorageLog.CheckpointRejected(_logger, name, steps[i], reason);
                continue;
            }

            var found = checkpoint.Metadata;
            if (found.SpecHash != expectedSpecHash || found.ModelHash != expectedModelHash)
            {
                throw new CheckpointMismatchException(name, expectedSpecHash, expectedModelHash, found.SpecHash, found.ModelHash);
            }

            return new LatestCheckpoint(checkpoint, rejected);
        }

        return new LatestCheckpoint(null, rejected);
    }

    private static string NameUnder(string prefix, int step)
    {
        if (!prefix.EndsWith('/') || step is < 0 or > RunLayout.MaxStep)
        {
            throw new ArgumentException($"A checkpoint prefix ends with '/' and steps run from 0 to {RunLayout.MaxStep}; got '{prefix}', {step}.");
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}{step:D6}.safetensors");
    }

    private async Task<Checkpoint> LoadBlobAsync(string name, int step, CancellationToken cancellationToken)
    {
        // Streamed: the header, then each tensor into its own array; never the whole blob in one buffer.
        SafetensorsContent content;
        var blob = await _blobs.OpenReadAsync(name, cancellationToken).ConfigureAwait(false);
        await using (blob.ConfigureAwait(false))
        {
            try
            {
                content = await SafetensorsFormat.ReadAsync(blob, name, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new CorruptCheckpointException(name, e.Message, e);
            }
        }

        var header = content.Metadata;
        string Required(string key) => header.TryGetValue(key, out string? value) && value.Length > 0
            ? value
            : throw new CorruptCheckpointException(name, $"its header has no '{key}' entry.");

        string format = Required(FormatKey);
        if (format != Format)
        {
            throw new CorruptCheckpointException(name, $"its format is '{format}'; this version reads '{Format}'.");
        }

        string recorded = Required(ContentSha256Key);
        var covered = header.Where(e => e.Key != ContentSha256Key).ToList();
        string actual = ContentSha256(covered, content.Tensors.ToList());
        if (actual != recorded)
        {
            throw new CorruptCheckpointException(name, $"its content SHA-256 is {actual}, but its header records {recorded}.");
        }

        if (!int.TryParse(Required(StepKey), NumberStyles.None, CultureInfo.InvariantCulture, out int headerStep) || headerStep != step)
        {
            throw new CorruptCheckpointException(name, $"its header says step '{header[StepKey]}', but its name says step {step}.");
        }

        var extra = covered
            .Where(e => e.Key.StartsWith(ExtraPrefix, StringComparison.Ordinal))
            .ToImmutableSortedDictionary(e => e.Key[ExtraPrefix.Length..], e => e.Value, StringComparer.Ordinal);
        var metadata = new RolloutCheckpointMetadata(step, Required(SpecHashKey), Required(ModelHashKey), Required(DeviceKey), Required(DtypeKey))
        {
            Extra = extra,
        };
        return new Checkpoint(name, metadata, content.Tensors);
    }

    /// <summary>The header entries of <paramref name="metadata"/>, checked; the checksum is added by the caller.</summary>
    private static List<KeyValuePair<string, string>> HeaderOf(RolloutCheckpointMetadata metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(metadata.SpecHash, nameof(metadata));
        ArgumentException.ThrowIfNullOrEmpty(metadata.ModelHash, nameof(metadata));
        ArgumentException.ThrowIfNullOrEmpty(metadata.Device, nameof(metadata));
        ArgumentException.ThrowIfNullOrEmpty(metadata.Dtype, nameof(metadata));
        var header = new List<KeyValuePair<string, string>>
        {
            new(FormatKey, Format),
            new(StepKey, metadata.Step.ToString(CultureInfo.InvariantCulture)),
            new(SpecHashKey, metadata.SpecHash),
            new(ModelHashKey, metadata.ModelHash),
            new(DeviceKey, metadata.Device),
            new(DtypeKey, metadata.Dtype),
        };
        foreach (var (key, value) in metadata.Extra)
        {
            if (string.IsNullOrEmpty(key) || value is null)
            {
                throw new ArgumentException("Extra checkpoint metadata needs non-empty keys and non-null values.", nameof(metadata));
            }

            header.Add(new(ExtraPrefix + key, value));
        }

        return header;
    }

    /// <summary>
    /// SHA-256 over the metadata entries (in ordinal key order) and the tensors (in order: name, dtype, shape, bytes), each
    /// field length-prefixed so that no two different checkpoints give the same byte sequence.
    /// </summary>
    private static string ContentSha256(IEnumerable<KeyValuePair<string, string>> metadata, List<KeyValuePair<string, NpyArray>> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        void AppendNumber(long value, Span<byte> buffer)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
            hash.AppendData(buffer);
        }

        void AppendText(string text, Span<byte> buffer)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            AppendNumber(bytes.Length, buffer);
            hash.AppendData(bytes);
        }

        foreach (var (key, value) in metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            AppendText(key, number);
            AppendText(value, number);
        }

        foreach (var (tensorName, array) in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensorName, nameof(tensors));
            ArgumentNullException.ThrowIfNull(array, nameof(tensors));
            AppendText(tensorName, number);
            AppendText(array.Dtype == NpyDtype.Unicode ? "unicode" : SafetensorsFormat.DtypeName(array.Dtype), number);
            AppendNumber(array.Shape.Length, number);
            foreach (long dim in array.Shape)
            {
                AppendNumber(dim, number);
            }

            AppendNumber(array.Data.LongLength, number);
            hash.AppendData(array.Data);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Difference(RolloutCheckpointMetadata stored, RolloutCheckpointMetadata written)
    {
        var differences = new List<string>();
        void Compare(string what, string a, string b)
        {
            if (a != b)
            {
                differences.Add($"{what} {a} stored, {b} now");
            }
        }

        Compare("spec hash", stored.SpecHash, written.SpecHash);
        Compare("model hash", stored.ModelHash, written.ModelHash);
        Compare("device", stored.Device, written.Device);
        Compare("dtype", stored.Dtype, written.Dtype);
        return differences.Count > 0 ? string.Join("; ", differences) : "same metadata, different tensors";
    }
}
