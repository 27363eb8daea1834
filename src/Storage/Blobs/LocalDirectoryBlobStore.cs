using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>An <see cref="IBlobStore"/> over a local folder: each blob is the file at its name under the root, written whole or not at all.</summary>
/// <remarks>
/// <para>
/// Every write goes to a staging file under <c>{root}/.graphcast/staging</c> (same file system), is fsynced, and only
/// then gets its final name; the final directory is fsynced before the write reports success, so a reported write
/// survives a power cut and a crash leaves either the old blob or the new one, never half of one.
/// Create-only writes use <c>link(2)</c>, which fails atomically when the name exists; overwrites use <c>rename(2)</c>.
/// </para>
/// <para>
/// ETags are the SHA-256 of the content: they change whenever the content does, and need no side file. The price is
/// that <see cref="GetPropertiesAsync"/> and <see cref="ReadAsync"/> hash what they read.
/// Conditional writes and deletes hold an exclusive lock on <c>{root}/.graphcast/write.lock</c> (a <c>flock</c>, which
/// .NET takes for <see cref="FileShare.None"/>) so that processes sharing the folder — silos of a local cluster — see
/// check-and-replace as one step.
/// </para>
/// <para>Linux only (it calls libc). A folder cannot be both a blob and the parent of other blobs, unlike an Azure container.</para>
/// </remarks>
public sealed class LocalDirectoryBlobStore : IBlobStore
{
    private const int FileBufferSize = 1 << 16;

    private static readonly TimeSpan LockRetryInterval = TimeSpan.FromMilliseconds(5);

    // Conditional writes hold the lock for milliseconds; a minute means the holder is stuck, not busy.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(1);

    // One gate per root folder in this process: in-process writers queue here instead of polling the file lock.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> RootGates = new(StringComparer.Ordinal);

    private readonly string _staging;
    private readonly string _lockPath;
    private readonly SemaphoreSlim _gate;

    /// <summary>A store rooted at <paramref name="root"/>, which is created if missing; its reserved folder is made on the first write.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public LocalDirectoryBlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "The local directory blob store uses Linux system calls (link, fsync on folders); on other systems use Azure Blob Storage or Azurite.");
        }

        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string reserved = Path.Combine(Root, BlobName.ReservedSegment);
        _staging = Path.Combine(reserved, "staging");
        _lockPath = Path.Combine(reserved, "write.lock");
        // The root is created for writers; the reserved folder only on the first write, so that a store opened to read (a
        // forecast.zarr given as --truth or --init, a runs folder for 'status') leaves the user's folder as it was.
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root);
        }

        _gate = RootGates.GetOrAdd(Root, _ => new SemaphoreSlim(1, 1));
    }

    /// <summary>The root folder (absolute).</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string Location => $"the local folder '{Root}'";

    /// <summary>The file that holds blob <paramref name="name"/>.</summary>
    public string PathOf(string name)
    {
        BlobName.Validate(name);
        return FilePath(name);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(FilePath(name)));
    }

    /// <inheritdoc />
    public async Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        string path = FilePath(name);
        FileStream file;
        try
        {
            file = OpenForRead(path, name);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }

        await using (file.ConfigureAwait(false))
        {
            // Time and hash come from the same open file: a concurrent replace (a new inode) cannot mix two versions.
            var modified = File.GetLastWriteTimeUtc(file.SafeFileHandle);
            var (sha256, length) = await ContentHash.OfStreamAsync(file, cancellationToken).ConfigureAwait(false);
            return new BlobProperties(name, length, ETagOf(sha256), new DateTimeOffset(modified, TimeSpan.Zero), sha256);
        }
    }

    /// <inheritdoc />
    public async Task<BlobContent> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        await using var file = OpenForRead(FilePath(name), name);
        if (file.Length > Array.MaxLength)
        {
            throw new NotSupportedException(
                $"Blob '{name}' in {Location} is {file.Length} bytes, too large to read into one array; read it with {nameof(OpenReadAsync)}.");
        }

        var data = new byte[file.Length];
        await file.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
        return new BlobContent(data, ETagOf(ContentHash.Of(data)));
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<Stream>(OpenForRead(FilePath(name), name));
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        ContentHash.RequireSeekable(content, nameof(content));
        string path = FilePath(name);
        var staged = await StageAsync(content, cancellationToken).ConfigureAwait(false);
        try
        {
            string directory = Path.GetDirectoryName(path)!;
            EnsureDirectory(directory, name);
            while (true)
            {
                if (PosixFileSystem.TryLink(staged.Path, path))
                {
                    PosixFileSystem.FlushDirectory(directory);
                    return true;
                }

                if (Directory.Exists(path))
                {
                    throw FolderInTheWay(name);
                }

                // The name exists: success only if it already holds these bytes (an identical or retried write).
                FileStream existing;
                try
                {
                    existing = OpenForRead(path, name);
                }
                catch (BlobNotFoundException)
                {
                    // Deleted since link(2) saw it: try to create it again.
                    continue;
                }

                await using (existing.ConfigureAwait(false))
                {
                    if (existing.Length != staged.Length)
                    {
                        return false;
                    }

                    var (sha256, _) = await ContentHash.OfStreamAsync(existing, cancellationToken).ConfigureAwait(false);
                    return sha256 == staged.Sha256;
                }
            }
        }
        finally
        {
            File.Delete(staged.Path);
        }
    }

    /// <inheritdoc />
    public async Task<string> WriteAsync(string name, Stream content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        ContentHash.RequireSeekable(content, nameof(content));
        string path = FilePath(name);
        var staged = await StageAsync(content, cancellationToken).ConfigureAwait(false);
        string written = ETagOf(staged.Sha256);
        try
        {
            string directory = Path.GetDirectoryName(path)!;
            EnsureDirectory(directory, name);
            if (Directory.Exists(path))
            {
                throw FolderInTheWay(name);
            }

            await using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
            if (ifMatchETag is not null)
            {
                string? current = await CurrentETagAsync(path, cancellationToken).ConfigureAwait(false);
                if (current != ifMatchETag)
                {
                    // Already holding exactly this content counts as written: it is what a retried write finds.
                    return current == written
                        ? written
                        : throw new BlobETagMismatchException(name, Location, ifMatchETag, current);
                }
            }

            File.Move(staged.Path, path, overwrite: true);
            PosixFileSystem.FlushDirectory(directory);
            return written;
        }
        finally
        {
            File.Delete(staged.Path);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BlobEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        BlobName.ValidatePrefix(prefix);
        // Only the folder the prefix's complete segments name can hold matches; walk it, not the whole root.
        int slash = prefix.LastIndexOf('/');
        string start = slash < 0 ? Root : FilePath(prefix[..slash]);
        var entries = new List<BlobEntry>();
        if (Directory.Exists(start))
        {
            var options = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                // The default skips "hidden" files, which on Unix means names starting with '.': Zarr's .zarray and .zattrs.
                AttributesToSkip = 0,
                IgnoreInaccessible = false,
            };
            foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Path.GetRelativePath(Root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                // BlobName.IsValid also leaves out the store's own staging files (the reserved first segment).
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !BlobName.IsValid(name))
                {
                    continue;
                }

                try
                {
                    entries.Add(new BlobEntry(name, file.Length));
                }
                catch (FileNotFoundException)
                {
                    // Deleted while the folder was being listed.
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Task.FromResult<IReadOnlyList<BlobEntry>>(entries);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        string path = FilePath(name);
        await using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        PosixFileSystem.FlushDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    private static string ETagOf(string sha256) => $"\"{sha256}\"";

    private FileStream OpenForRead(string path, string name)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileBufferSize, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException && !File.Exists(path))
        {
            // A folder at the name (UnauthorizedAccessException) is not a blob either.
            throw new BlobNotFoundException(name, Location, e);
        }
    }

    private async Task<string?> CurrentETagAsync(string path, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = OpenForRead(path, path);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }

        await using (file.ConfigureAwait(false))
        {
            return ETagOf((await ContentHash.OfStreamAsync(file, cancellationToken).ConfigureAwait(false)).Sha256);
        }
    }

    private string FilePath(string name)
    {
        string path = Path.Join(Root, name.Replace('/', Path.DirectorySeparatorChar));
        Debug.Assert(path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), "validated names stay under the root");
        return path;
    }

    private IOException FolderInTheWay(string name) => new(
        $"Cannot store blob '{name}' in {Location}: a folder of other blobs has that name, and a local folder cannot hold a " +
        "blob and a folder of the same name.");

    /// <summary>Copies <paramref name="content"/> to a new staging file, hashing it, and fsyncs the file.</summary>
    private async Task<(string Path, string Sha256, long Length)> StageAsync(Stream content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_staging);
        string path = Path.Combine(_staging, $"{Guid.NewGuid():N}.tmp");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ContentHash.BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, ContentHash.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    length += read;
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            return (path, Convert.ToHexStringLower(hash.GetHashAndReset()), length);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and any missing parents, flushing each parent so the new folders survive a crash.</summary>
    private void EnsureDirectory(string directory, string name)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var missing = new Stack<string>();
        for (string? folder = directory; folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing.Push(folder);
        }

        while (missing.TryPop(out string? folder))
        {
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (IOException e) when (File.Exists(folder))
            {
                throw new IOException(
                    $"Cannot store blob '{name}' in {Location}: '{Path.GetRelativePath(Root, folder).Replace(Path.DirectorySeparatorChar, '/')}' " +
                    "is a blob, and a local folder cannot hold a blob and a folder of the same name.",
                    e);
            }

            PosixFileSystem.FlushDirectory(Path.GetDirectoryName(folder)!);
        }
    }

    /// <summary>Takes this root's write lock: the in-process gate, then the cross-process file lock.</summary>
    private async Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var waited = Stopwatch.StartNew();
            Directory.CreateDirectory(Path.GetDirectoryName(_lockPath)!);
            while (true)
            {
                try
                {
                    var file = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
                    return new HeldLock(file, _gate);
                }
                catch (IOException e) when (e.GetType() == typeof(IOException) && waited.Elapsed < LockTimeout)
                {
                    // Another process holds it (flock EWOULDBLOCK is a plain IOException): try again shortly.
                    await Task.Delay(LockRetryInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e) when (e.GetType() == typeof(IOException))
                {
                    throw new TimeoutException(
                        $"Another process has held the write lock '{_lockPath}' of {Location} for over {LockTimeout.TotalSeconds:0} s; " +
                        "it may be hung. Stop it, or use another folder.",
                        e);
                }
            }
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private sealed class HeldLock(FileStream file, SemaphoreSlim gate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await file.DisposeAsync().ConfigureAwait(false);
            gate.Release();
        }
    }
}
