using Microsoft.Extensions.Logging;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>The storage layer's log catalogue: one source-generated message per event, with stable event ids (2100–2199).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Blob store opened: {Location}")]
    public static partial void StoreOpened(ILogger logger, string location);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Skipping checkpoint {BlobName} (step {Step}): {Reason}. Falling back to an earlier one.")]
    public static partial void CheckpointRejected(ILogger logger, string blobName, int step, string reason);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Replaced corrupt checkpoint {BlobName}: {Reason}")]
    public static partial void CorruptCheckpointReplaced(ILogger logger, string blobName, string reason);
}
