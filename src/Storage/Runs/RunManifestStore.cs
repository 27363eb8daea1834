using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Runs;

/// <summary>
/// A run's manifest (<c>runs/{runId}/run.json</c>: spec and status) with optimistic concurrency, and the index of active runs
/// (<c>active/{runId}</c>) that every silo's supervisor scans to bring runs back after a silo loss.
/// </summary>
public sealed class RunManifestStore(IBlobStore blobs)
{
    public const string ActivePrefix = "active/";

    /// <summary>One empty marker per run ever created, so listing runs never walks their chunks.</summary>
    public const string IndexPrefix = "index/";

    public IBlobStore Blobs => blobs;

    public async Task<(RunStatus? Status, string? ETag)> ReadAsync(string runId, CancellationToken cancellationToken = default)
    {
        var name = RunLayout.Manifest(runId);
        if (!await blobs.ExistsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return (null, null);
        }

        var content = await blobs.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        return (JsonSerializer.Deserialize<RunStatus>(content.Data, SpecHash.Json), content.ETag);
    }

    /// <summary>Creates the manifest; false if one exists already.</summary>
    public async Task<bool> TryCreateAsync(RunStatus status, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(status, SpecHash.Json));
        var created = await blobs.TryCreateAsync(RunLayout.Manifest(status.RunId), stream, cancellationToken).ConfigureAwait(false);
        using var marker = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(status.RunId));
        await blobs.TryCreateAsync(IndexPrefix + status.RunId, marker, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Replaces the manifest if it still has <paramref name="etag"/>; returns the new ETag.</summary>
    public async Task<string> UpdateAsync(RunStatus status, string? etag, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(status, SpecHash.Json));
        return await blobs.WriteAsync(RunLayout.Manifest(status.RunId), stream, etag, cancellationToken).ConfigureAwait(false);
    }

    public async Task MarkActiveAsync(string runId, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(runId));
        await blobs.TryCreateAsync(ActivePrefix + runId, stream, cancellationToken).ConfigureAwait(false);
    }

    public Task UnmarkActiveAsync(string runId, CancellationToken cancellationToken = default) =>
        blobs.DeleteAsync(ActivePrefix + runId, cancellationToken);

    public async Task<IReadOnlyList<string>> ActiveRunsAsync(CancellationToken cancellationToken = default) =>
        (await blobs.ListAsync(ActivePrefix, cancellationToken).ConfigureAwait(false)).Select(e => e.Name[ActivePrefix.Length..]).ToArray();

    /// <summary>Every run with a manifest, newest first.</summary>
    public async Task<IReadOnlyList<RunStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var entries = await blobs.ListAsync(IndexPrefix, cancellationToken).ConfigureAwait(false);
        var result = new List<RunStatus>();
        foreach (var e in entries)
        {
            var (status, _) = await ReadAsync(e.Name[IndexPrefix.Length..], cancellationToken).ConfigureAwait(false);
            if (status is not null)
            {
                result.Add(status);
            }
        }

        return result.OrderByDescending(s => s.CreatedUtc).ToArray();
    }
}
