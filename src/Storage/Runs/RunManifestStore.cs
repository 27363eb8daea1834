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
        return (Parse(content.Data, runId, $"{name} in {blobs.Location}"), content.ETag);
    }

    /// <summary>
    /// A manifest's JSON as a <see cref="RunStatus"/>, checked before anything trusts it: valid JSON of the right shape, a
    /// spec whose run id is <paramref name="runId"/>, positive member and step counts, and no empty or negative member progress.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest is damaged; the message names <paramref name="where"/> and the fix.</exception>
    public static RunStatus Parse(byte[] data, string runId, string where)
    {
        ArgumentNullException.ThrowIfNull(data);
        RunStatus? status;
        try
        {
            status = JsonSerializer.Deserialize<RunStatus>(data, SpecHash.Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: text that is not UTF-8.
            throw Damaged(where, runId, $"it is not a run manifest ({FirstSentence(e.Message)})", e);
        }

        var problem = status switch
        {
            null => "it is empty (null)",
            { Spec: null } => "it has no spec",
            { Spec.RunId: null } or { Spec.Model: null } => "its spec lacks the run id or the model",
            _ when status.Spec.RunId != runId => $"its spec is for run '{status.Spec.RunId}'",
            _ when status.Spec.Members < 1 || status.Spec.Steps < 1 => $"its spec has {status.Spec.Members} members and {status.Spec.Steps} steps",
            _ when status.Members is null || status.Members.Any(m => m is null || m.Member < 0 || m.Step < 0) =>
                "its member progress does not match its spec",
            _ when status.Spec.OutputVariables is null || status.Spec.Perturbation is null || status.Spec.InitialCondition is null => "its spec has null fields",
            _ => null,
        };
        return problem is null ? status! : throw Damaged(where, runId, problem, null);
    }

    private static InvalidDataException Damaged(string where, string runId, string problem, Exception? inner) =>
        new($"The manifest of run '{runId}' ({where}) is damaged: {problem}. Restore it from a backup, or delete the run's folder and start the run again.", inner);

    /// <summary>System.Text.Json's message up to its path and position, which is what a user can act on.</summary>
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
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

    /// <summary>Every run with a manifest, newest first; a damaged manifest is left out (see <see cref="ListWithDamagedAsync"/>).</summary>
    public async Task<IReadOnlyList<RunStatus>> ListAsync(CancellationToken cancellationToken = default) =>
        (await ListWithDamagedAsync(cancellationToken).ConfigureAwait(false)).Runs;

    /// <summary>
    /// Every run with a manifest, newest first, and apart from them the runs whose manifest is damaged with what is wrong,
    /// so that one damaged run never hides the others.
    /// </summary>
    public async Task<(IReadOnlyList<RunStatus> Runs, IReadOnlyList<(string RunId, string Problem)> Damaged)> ListWithDamagedAsync(CancellationToken cancellationToken = default)
    {
        var entries = await blobs.ListAsync(IndexPrefix, cancellationToken).ConfigureAwait(false);
        var result = new List<RunStatus>();
        var damaged = new List<(string, string)>();
        foreach (var e in entries)
        {
            var runId = e.Name[IndexPrefix.Length..];
            try
            {
                var (status, _) = await ReadAsync(runId, cancellationToken).ConfigureAwait(false);
                if (status is not null)
                {
                    result.Add(status);
                }
            }
            catch (InvalidDataException damage)
            {
                damaged.Add((runId, damage.Message));
            }
        }

        return (result.OrderByDescending(s => s.CreatedUtc).ToArray(), damaged.OrderBy(d => d.Item1, StringComparer.Ordinal).ToArray());
    }
}
