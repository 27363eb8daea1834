using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>An <see cref="IBlobStore"/> over one Azure Blob Storage container (or Azurite): block blobs with conditional writes.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>Create-only is <c>If-None-Match: *</c> (409 when the blob exists); overwrite with optimistic concurrency is
/// <c>If-Match</c> (412 when stale).</item>
/// <item>Blobs up to <see cref="SingleUploadLimit"/> are one Put Blob; larger ones are staged as blocks and committed with
/// the condition, so they too appear whole or not at all. The SDK's own chunked upload names blocks by offset only
/// (Azure.Storage.Blobs, PartitionedUploader.GenerateBlockId: "TODO #8162 – add a random GUID so simultaneous uploads
/// won't stomp on each other"): two writers racing for one name would overwrite each other's uncommitted blocks and the
/// winner could commit the loser's bytes. Here every upload names its blocks with its own random id.</item>
/// <item>Transient failures (connection refused while the emulator restarts, 5xx, timeouts) are retried by the SDK
/// with exponential backoff (<see cref="CreateClientOptions"/>). A retried write whose first attempt landed gets 409/412
/// on the retry; the store then compares the stored content with its own (by the SHA-256 it records as metadata
/// <see cref="Sha256MetadataKey"/>, or by downloading) and reports success when they are the same.</item>
/// </list>
/// </remarks>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The blob metadata entry holding the lower-case hex SHA-256 of the content, written with every blob.</summary>
    public const string Sha256MetadataKey = "contentsha256";

    /// <summary>Blobs up to this size are uploaded in one request; larger ones as staged blocks of <see cref="BlockSize"/>.</summary>
    public const int SingleUploadLimit = 4 * 1024 * 1024;

    /// <summary>The size of each staged block of a large blob.</summary>
    public const int BlockSize = 4 * 1024 * 1024;

    /// <summary>Default number of retries of a failed request (8 retries with the default delays cover about 30 s).</summary>
    public const int DefaultMaxRetries = 8;

    /// <summary>Default delay before the first retry; it doubles on each retry up to <see cref="DefaultMaxRetryDelay"/>.</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(0.5);

    /// <summary>Default longest delay between retries.</summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(5);

    // Blocks staged at once: enough to keep a connection busy without holding much memory (4 × 4 MiB).
    private const int ParallelBlocks = 4;

    private readonly BlobContainerClient _container;

    /// <summary>A store over <paramref name="container"/>, which must exist (see <see cref="CreateContainerIfMissingAsync"/>).</summary>
    /// <remarks>Build the client with <see cref="CreateClientOptions"/> for the retry behaviour described above.</remarks>
    public AzureBlobStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        // The URL without its query: a SAS token is a credential and must not reach logs or messages.
        Location = $"the blob container '{container.Name}' at {container.Uri.GetLeftPart(UriPartial.Path)}";
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>
    /// Client options with the store's retry policy: exponential backoff from <paramref name="retryDelay"/> up to
    /// <paramref name="maxRetryDelay"/>, <paramref name="maxRetries"/> times; and the service version pinned to one that
    /// Azurite 3.37 accepts without <c>--skipApiVersionCheck</c> (2026-06-06), which Azure accepts as well.
    /// </summary>
    public static BlobClientOptions CreateClientOptions(int maxRetries = DefaultMaxRetries, TimeSpan? retryDelay = null, TimeSpan? maxRetryDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = retryDelay ?? DefaultRetryDelay;
        options.Retry.MaxDelay = maxRetryDelay ?? DefaultMaxRetryDelay;
        return options;
    }

    /// <summary>Creates the container unless it exists.</summary>
    public async Task CreateContainerIfMissingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            // A credential scoped to the container (a container SAS) may not create containers but can use an existing one.
            if (!(await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
            {
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        return (await _container.GetBlobClient(name).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <inheritdoc />
    public async Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        try
        {
            var properties = (await _container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobProperties(
                name,
                properties.ContentLength,
                properties.ETag.ToString(),
                properties.LastModified,
                properties.Metadata.TryGetValue(Sha256MetadataKey, out string? sha256) ? sha256 : null);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The downloaded bytes do not match the SHA-256 recorded when the blob was written.</exception>
    public async Task<BlobContent> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        BlobDownloadResult download;
        try
        {
            download = (await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobNotFoundException(name, Location, e);
        }

        byte[] data = download.Content.ToArray();
        if (download.Details.Metadata.TryGetValue(Sha256MetadataKey, out string? recorded) && recorded != ContentHash.Of(data))
        {
            throw new InvalidDataException(
                $"Blob '{name}' in {Location} does not match the SHA-256 recorded when it was written ({recorded}): it is corrupt.");
        }

        return new BlobContent(data, download.Details.ETag.ToString());
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        try
        {
            // allowModifications: false reads every range with If-Match on the first ETag: a concurrent overwrite
            // fails the read instead of mixing two versions.
            var stream = await _container.GetBlobClient(name)
                .OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken)
                .ConfigureAwait(false);
            return new ReadStream(stream, name, Location);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobNotFoundException(name, Location, e);
        }
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        ContentHash.RequireSeekable(content, nameof(content));
        long start = content.Position;
        var (sha256, length) = await ContentHash.OfStreamAsync(content, cancellationToken).ConfigureAwait(false);
        var createOnly = new BlobRequestConditions { IfNoneMatch = ETag.All };
        while (true)
        {
            // A large blob that is already there is compared, not uploaded a second time.
            if (length > SingleUploadLimit && await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is { } present)
            {
                return await HoldsContentAsync(present, sha256, length, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                content.Position = start;
                await UploadAsync(name, content, length, sha256, createOnly, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                if (await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is { } existing)
                {
                    return await HoldsContentAsync(existing, sha256, length, cancellationToken).ConfigureAwait(false);
                }

                // Deleted since the conflict: try to create it again.
            }
        }
    }

    /// <inheritdoc />
    public async Task<string> WriteAsync(string name, Stream content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        ContentHash.RequireSeekable(content, nameof(content));
        long start = content.Position;
        var (sha256, length) = await ContentHash.OfStreamAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = start;
        var conditions = ifMatchETag is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatchETag) };
        try
        {
            return (await UploadAsync(name, content, length, sha256, conditions, cancellationToken).ConfigureAwait(false)).ToString();
        }
        catch (RequestFailedException e) when (ifMatchETag is not null && e.Status is 412 or 404)
        {
            // A retry of a write that landed finds its own new ETag: the blob then already holds this content.
            var current = await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Length == length && current.ContentSha256 == sha256)
            {
                return current.ETag;
            }

            throw new BlobETagMismatchException(name, Location, ifMatchETag, current?.ETag, e);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BlobEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        BlobName.ValidatePrefix(prefix);
        var entries = new List<BlobEntry>();
        await foreach (var item in _container
            .GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken)
            .ConfigureAwait(false))
        {
            // Names no IBlobStore could have written (another tool's) are left out, as the local store leaves them out.
            if (BlobName.IsValid(item.Name))
            {
                entries.Add(new BlobEntry(item.Name, item.Properties.ContentLength ?? 0));
            }
        }

        // The service lists in UTF-8 byte order; the contract is ordinal (UTF-16) order, which differs only beyond the BMP.
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        return (await _container.GetBlobClient(name)
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)
            .ConfigureAwait(false)).Value;
    }

    /// <summary>Whether the blob <paramref name="existing"/> holds exactly the content with <paramref name="sha256"/> and <paramref name="length"/>.</summary>
    private async Task<bool> HoldsContentAsync(BlobProperties existing, string sha256, long length, CancellationToken cancellationToken)
    {
        if (existing.Length != length)
        {
            return false;
        }

        if (existing.ContentSha256 is not null)
        {
            return existing.ContentSha256 == sha256;
        }

        // Written by another tool, without our hash: compare by downloading that version.
        try
        {
            await using var stored = await _container.GetBlobClient(existing.Name)
                .OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = new ETag(existing.ETag) } }, cancellationToken)
                .ConfigureAwait(false);
            return (await ContentHash.OfStreamAsync(stored, cancellationToken).ConfigureAwait(false)).Sha256 == sha256;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Uploads <paramref name="length"/> bytes of <paramref name="content"/> under <paramref name="conditions"/>; returns the new ETag.</summary>
    private async Task<ETag> UploadAsync(
        string name, Stream content, long length, string sha256, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlockBlobClient(name);
        var metadata = new Dictionary<string, string> { [Sha256MetadataKey] = sha256 };
        if (length <= SingleUploadLimit)
        {
            var uploaded = await blob.UploadAsync(
                content,
                new BlobUploadOptions { Conditions = conditions, Metadata = metadata },
                cancellationToken).ConfigureAwait(false);
            return uploaded.Value.ETag;
        }

        // Staged blocks are invisible until the commit, which applies the condition: the blob appears whole or not at all.
        byte[] upload = RandomNumberGenerator.GetBytes(16);
        var blockIds = new List<string>();
        var buffers = new byte[ParallelBlocks][];
        try
        {
            for (int i = 0; i < ParallelBlocks; i++)
            {
                buffers[i] = ArrayPool<byte>.Shared.Rent(BlockSize);
            }

            var staging = new List<Task>(ParallelBlocks);
            while (true)
            {
                staging.Clear();
                for (int i = 0; i < ParallelBlocks; i++)
                {
                    int read = await content.ReadAtLeastAsync(buffers[i].AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    string id = BlockId(upload, blockIds.Count);
                    blockIds.Add(id);
                    staging.Add(blob.StageBlockAsync(id, new MemoryStream(buffers[i], 0, read, writable: false), cancellationToken: cancellationToken));
                }

                await Task.WhenAll(staging).ConfigureAwait(false);
                if (staging.Count < ParallelBlocks)
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (byte[]? buffer in buffers)
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        var committed = await blob.CommitBlockListAsync(
            blockIds,
            new CommitBlockListOptions { Conditions = conditions, Metadata = metadata },
            cancellationToken).ConfigureAwait(false);
        return committed.Value.ETag;
    }

    /// <summary>A block id unique to one upload: its random id and the block index (every id of a blob must have the same length).</summary>
    private static string BlockId(byte[] upload, int index)
    {
        Span<byte> id = stackalloc byte[24];
        upload.CopyTo(id);
        BinaryPrimitives.WriteInt64BigEndian(id[16..], index);
        return Convert.ToBase64String(id);
    }

    /// <summary>
    /// A blob's read stream whose storage errors name the blob: 404 → <see cref="BlobNotFoundException"/>; deleted or
    /// replaced while being read (the If-Match of a later range fails with 412, for a deletion too) → an
    /// <see cref="IOException"/> that says to read again (transient for the engine: a member retries from its checkpoint).
    /// </summary>
    private sealed class ReadStream(Stream inner, string name, string location) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Translate(() => inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (RequestFailedException e)
            {
                throw Translated(e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e)
            {
                throw Translated(e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Translate(Func<int> read)
        {
            try
            {
                return read();
            }
            catch (RequestFailedException e)
            {
                throw Translated(e);
            }
        }

        private Exception Translated(RequestFailedException e) => e.Status switch
        {
            404 => new BlobNotFoundException(name, location, e),
            412 => new IOException($"Blob '{name}' in {location} was deleted or replaced while being read; read it again.", e),
            _ => e,
        };
    }
}
