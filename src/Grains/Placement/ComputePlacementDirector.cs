using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using GraphCast.Orleans.Storage.Telemetry;

namespace GraphCast.Orleans.Grains.Placement;

/// <summary>
/// Places a member on a compute silo (from silo metadata) with the fewest estimated active members per device; ties go to
/// the silo whose address hashes lowest with the grain id, so equal silos share members evenly. Silos without compute,
/// and silos whose metadata is not known yet, get none. With no compute silo at all it waits briefly (metadata of silos
/// that just joined) and then fails with a message that says what to start.
/// </summary>
public sealed class ComputePlacementDirector(ISiloMetadataCache metadata, ComputeLoadView view) : IPlacementDirector
{
    // Well inside the 10 s response timeout of the local cluster's silos, so the caller gets this message and not a timeout.
    private static readonly TimeSpan WaitForCompute = TimeSpan.FromSeconds(4);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var deadline = DateTime.UtcNow + WaitForCompute;
        while (true)
        {
            var candidates = context.GetCompatibleSilos(target)
                .Select(s => (Silo: s, Compute: ComputeSiloMetadata.Parse(metadata.GetSiloMetadata(s).Metadata)))
                .Where(c => c.Compute is { HasCompute: true })
                .ToList();
            if (candidates.Count > 0)
            {
                var chosen = candidates
                    .OrderBy(c => (double)view.EstimatedActive(c.Silo) / c.Compute!.Devices)
                    .ThenBy(c => HashCode.Combine(c.Silo.GetConsistentHashCode(), target.GrainIdentity.GetUniformHashCode()))
                    .First().Silo;
                view.Placed(chosen, target.GrainIdentity);
                EngineTelemetry.MembersPlaced.Add(1, new KeyValuePair<string, object?>("silo", chosen.ToString()));
                return chosen;
            }

            if (DateTime.UtcNow > deadline)
            {
                // A plain InvalidOperationException: it crosses to the caller (client or run grain) with its message.
                throw new InvalidOperationException(
                    $"No silo in the cluster offers compute for ensemble member {target.GrainIdentity}: every silo has Compute:Enabled=false. " +
                    "Start a compute silo (graphcast cluster up, or a silo with Compute:Enabled=true).");
            }

            await Task.Delay(200).ConfigureAwait(false);
        }
    }
}
