using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace GraphCast.Orleans.Client.Runs;

/// <summary>
/// Where the commands that read results (verify, export, plot) find runs: the embedded default's folder
/// (<c>--output DIR</c>, default <c>graphcast-output</c>), or with <c>--cluster</c> the storage of the cluster whose
/// profile is in <c>--cluster-dir</c> (read directly, without joining the cluster).
/// </summary>
public sealed record RunStorage(IBlobStore Store, string Description, string ListHint)
{
    /// <summary>The default folder of the embedded silo's storage.</summary>
    public const string DefaultDirectory = "graphcast-output";

    /// <summary>
    /// Checks the choice (a folder or a cluster, not both) at once and returns how to open it: <paramref name="directory"/>
    /// (null: the default folder), or with <paramref name="cluster"/> the storage of the cluster in <paramref name="clusterDirectory"/>.
    /// </summary>
    public static Func<CancellationToken, Task<RunStorage>> From(bool cluster, string clusterDirectory, string? directory, string command)
    {
        if (cluster && directory is not null)
        {
            throw new UsageException($"'{command}': give --output DIR (a local folder) or --cluster (the cluster's storage), not both.");
        }

        if (cluster)
        {
            return async cancellationToken =>
            {
                var profile = ClusterProfile.Load(clusterDirectory);
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(profile.Configuration).AddEnvironmentVariables("GRAPHCAST_").Build();
                var options = configuration.GetSection(BlobStoreOptions.SectionName).Get<BlobStoreOptions>() ?? new BlobStoreOptions();
                if (options.Validate() is { Count: > 0 } problems)
                {
                    throw new InvalidDataException($"The cluster profile {ClusterProfile.PathOf(clusterDirectory)} has invalid storage settings: {string.Join(" ", problems)}");
                }

                if (options.LocalDirectory is { } local && !Directory.Exists(local))
                {
                    // The local store would create it; a command that reads must not.
                    throw new UsageException($"The cluster profile {ClusterProfile.PathOf(clusterDirectory)} names the storage folder '{local}' (Storage:LocalDirectory), which does not exist; fix the profile or --cluster-dir.");
                }

                var store = await BlobStoreFactory.CreateAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new RunStorage(store, store.Location, $"'graphcast runs --cluster{(clusterDirectory == ClusterProfile.DefaultDirectory ? "" : " --cluster-dir " + clusterDirectory)}'");
            };
        }

        directory ??= DefaultDirectory;
        if (directory.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--output {directory}: '{command}' reads a local storage folder, or a cluster's storage with --cluster.");
        }

        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            // Checked here: the local store creates its folder, and a command that only reads must not.
            throw new UsageException($"No runs folder at {full}. Give the folder a forecast wrote to with --output DIR, or add --cluster for a cluster's runs.");
        }

        return _ => Task.FromResult(new RunStorage(new LocalDirectoryBlobStore(full), full, $"'graphcast runs --output {directory}'"));
    }
}
