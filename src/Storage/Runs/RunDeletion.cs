using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Runs;

/// <summary>
/// Deleting what retention lets go of: a finished run (manifest, forecast, statistics, checkpoints, initial condition and
/// its index markers), or the rollout checkpoints of a completed run except each member's last. A running run is never touched.
/// </summary>
/// <remarks>
/// The manifest goes first, so a run half deleted by a crash no longer lists as a run; deleting again (listing the prefix) is
/// idempotent and finishes the job.
/// </remarks>
public sealed class RunDeletion(RunManifestStore manifests)
{
    private IBlobStore Blobs => manifests.Blobs;

    /// <summary>Deletes run <paramref name="runId"/> if it is finished (or has no manifest left); returns the blobs deleted, or null when it is still running.</summary>
    public async Task<int?> DeleteFinishedAsync(string runId, CancellationToken cancellationToken = default)
    {
        var (status, _) = await manifests.ReadAsync(runId, cancellationToken).ConfigureAwait(false);
        if (status is { IsFinished: false })
        {
            return null;
        }

        var deleted = 0;
        if (await Blobs.DeleteAsync(RunLayout.Manifest(runId), cancellationToken).ConfigureAwait(false))
        {
            deleted++;
        }

        await Blobs.DeleteAsync(RunManifestStore.IndexPrefix + runId, cancellationToken).ConfigureAwait(false);
        await Blobs.DeleteAsync(RunManifestStore.ActivePrefix + runId, cancellationToken).ConfigureAwait(false);
        foreach (var entry in await Blobs.ListAsync(RunLayout.RunPrefix(runId), cancellationToken).ConfigureAwait(false))
        {
            if (await Blobs.DeleteAsync(entry.Name, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes every member's rollout checkpoints of a completed run except its latest; returns how many were deleted, or null
    /// when the run is not completed (a running or failed run needs its checkpoints to resume).
    /// </summary>
    public async Task<int?> PruneCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        var (status, _) = await manifests.ReadAsync(runId, cancellationToken).ConfigureAwait(false);
        if (status is not { State: RunState.Completed })
        {
            return null;
        }

        var deleted = 0;
        for (var m = 0; m < status.Spec.Members; m++)
        {
            var checkpoints = (await Blobs.ListAsync(RunLayout.CheckpointPrefix(runId, m), cancellationToken).ConfigureAwait(false))
                .Select(e => RunLayout.TryParseCheckpointStep(e.Name, out var step) ? (e.Name, Step: step) : (e.Name, Step: -1))
                .Where(c => c.Step >= 0)
                .OrderBy(c => c.Step)
                .ToArray();
            foreach (var (name, _) in checkpoints.SkipLast(1))
            {
                if (await Blobs.DeleteAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }
        }

        return deleted;
    }
}
