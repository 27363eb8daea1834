namespace GraphCast.Orleans.Grains.Storage;

/// <summary>A temporary file that a large blob's content is serialised into before upload, instead of a buffer in memory.</summary>
/// <remarks>
/// <para>
/// A checkpoint or prepared initial condition at 0.25° is ~1.9 GB: a <see cref="MemoryStream"/> would hold it two or three
/// times over while growing and stops at <see cref="Array.MaxLength"/> (~2 GiB). A file holds it once, outside the managed
/// heap, and is seekable, as <see cref="IBlobStore"/> needs (stores read content more than once: a hash, the upload, a retry).
/// </para>
/// <para>
/// The file lies in <see cref="Path.GetTempPath"/> (<c>TMPDIR</c> on Linux) and is deleted when the stream is disposed
/// (<see cref="FileOptions.DeleteOnClose"/>); a process killed meanwhile leaves a <c>graphcast-*.blob.tmp</c> file behind.
/// <c>TMPDIR</c> needs room for the blobs being written at once (one per member of the silo writing a checkpoint); on a
/// tmpfs they take memory, though outside the managed heap and once each.
/// </para>
/// </remarks>
internal static class BlobSpoolFile
{
    private const int BufferSize = 1 << 16;

    /// <summary>A new, empty, read-write spool file; <paramref name="kind"/> (<c>checkpoint</c>) goes into its name.</summary>
    public static FileStream Create(string kind) => new(
        Path.Combine(Path.GetTempPath(), $"graphcast-{kind}-{Guid.NewGuid():N}.blob.tmp"),
        FileMode.CreateNew,
        FileAccess.ReadWrite,
        FileShare.None,
        BufferSize,
        FileOptions.DeleteOnClose | FileOptions.Asynchronous);
}
