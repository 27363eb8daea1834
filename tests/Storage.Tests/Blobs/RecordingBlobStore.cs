using System.Collections.Concurrent;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>An <see cref="IBlobStore"/> that passes every call to another and records it, in call order, so that tests can count writes and check the order of reads and writes.</summary>
/// <remarks>
/// With <see cref="YieldOnEveryCall"/>, each call first yields to the thread pool, so concurrent callers that are not
/// serialised interleave their calls instead of running one to the end by chance.
/// </remarks>
public sealed class RecordingBlobStore(IBlobStore inner) : IBlobStore
{
    private readonly ConcurrentQueue<BlobCall> _calls = new();

    public enum Operation
    {
        Exists,
        GetProperties,
        Read,
        OpenRead,
        TryCreate,
        Write,
        List,
        Delete,
    }

    /// <summary>One call: what it did to which blob.</summary>
    public sealed record BlobCall(Operation Operation, string Name);

    public bool YieldOnEveryCall { get; init; }

    /// <summary>Writes of blobs whose name contains <see cref="SlowWrites"/>.Fragment wait its delay first (a slow store).</summary>
    public (string Fragment, TimeSpan Delay)? SlowWrites { get; init; }

    /// <summary>Every call so far, in the order they were made.</summary>
    public IReadOnlyList<BlobCall> Calls => [.. _calls];

    public string Location => inner.Location;

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.Exists, name);
        return await inner.ExistsAsync(name, cancellationToken);
    }

    public async Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.GetProperties, name);
        return await inner.GetPropertiesAsync(name, cancellationToken);
    }

    public async Task<BlobContent> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.Read, name);
        return await inner.ReadAsync(name, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.OpenRead, name);
        return await inner.OpenReadAsync(name, cancellationToken);
    }

    public async Task<bool> TryCreateAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.TryCreate, name);
        return await inner.TryCreateAsync(name, content, cancellationToken);
    }

    public async Task<string> WriteAsync(string name, Stream content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.Write, name);
        if (SlowWrites is { } slow && name.Contains(slow.Fragment, StringComparison.Ordinal))
        {
            await Task.Delay(slow.Delay, cancellationToken);
        }

        return await inner.WriteAsync(name, content, ifMatchETag, cancellationToken);
    }

    public async Task<IReadOnlyList<BlobEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.List, prefix);
        return await inner.ListAsync(prefix, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await RecordAsync(Operation.Delete, name);
        return await inner.DeleteAsync(name, cancellationToken);
    }

    private async Task RecordAsync(Operation operation, string name)
    {
        if (YieldOnEveryCall)
        {
            await Task.Yield();
        }

        _calls.Enqueue(new BlobCall(operation, name));
    }
}
