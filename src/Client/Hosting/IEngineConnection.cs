using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Client.Hosting;

/// <summary>What a command talks to: the grains and the storage their runs live in — an embedded silo or a cluster.</summary>
public interface IEngineConnection : IAsyncDisposable
{
    IGrainFactory Grains { get; }

    /// <summary>The store holding run manifests, checkpoints and forecasts.</summary>
    IBlobStore Storage { get; }

    /// <summary>Whether runs go on after this process ends (a cluster) or stop with it (embedded).</summary>
    bool RunsOutliveClient { get; }
}
