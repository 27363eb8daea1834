using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Commands;
using GraphCast.Orleans.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace GraphCast.Orleans.Client;

/// <summary>
/// Where the commands that read results (verify, export, plot) find runs: the embedded default's folder
/// (<c>--output DIR</c>, default <c>graphcast-output</c>), or with <c>--cluster</c> the storage of the cluster whose
/// profile is in <c>--cluster-dir</c> (read directly, without joining the cluster).
/// </summary>
internal sealed record RunStorage(IBlobStore Store, string Description, string ListHint)
{
    /// <summary>Reads <c>--cluster</c>, <c>--cluster-dir</c> and <c>--output</c> from <paramref name="args"/> (call before RejectUnknown).</summary>
    public static Func<CancellationToken, Task<RunStorage>> From(CliArguments args, string command)
    {
        var cluster = args.Flag("cluster");
        var clusterDir = ClusterCommands.ClusterDirectory(args);
        var directory = args.String("output");
        if (cluster && directory is not null)
        {
            throw new UsageException($"'{command}': give --output DIR (a local folder) or --cluster (the cluster's storage), not both.");
        }

        if (cluster)
        {
            return async cancellationToken =>
            {
                var profile = ClusterProfile.Load(clusterDir);
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(profile.Configuration).AddEnvironmentVariables("GRAPHCAST_").Build();
                var options = configuration.GetSection(BlobStoreOptions.SectionName).Get<BlobStoreOptions>() ?? new BlobStoreOptions();
                var store = await BlobStoreFactory.CreateAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new RunStorage(store, store.Location, $"'graphcast runs --cluster{(clusterDir == ClusterProfile.DefaultDirectory ? "" : " --cluster-dir " + clusterDir)}'");
            };
        }

        directory ??= "graphcast-output";
        if (directory.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--output {directory}: '{command}' reads a local storage folder, or a cluster's storage with --cluster.");
        }

        var full = Path.GetFullPath(directory);
        return _ => Task.FromResult(new RunStorage(new LocalDirectoryBlobStore(full), full, $"'graphcast runs --output {directory}'"));
    }
}
