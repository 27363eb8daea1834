namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>A temporary file that a large blob's content is serialised into before upload, instead of a buffer in memory.</summary>
/// <remarks>
/// <para>
/// A checkpoint or prepared initial condition at 0.25° is ~1.9 GB: a <see cref="MemoryStream"/> would hold it two or three
/// times over while growing and stops at <see cref="Array.MaxLength"/> (~2 GiB). A file holds it once, outside the managed
/// heap, and is seekable, as <see cref="IBlobStore"/> needs (stores read content more than once: a hash, the upload, a retry).
/// </para>
/// <para>
/// The file lies in <see cref="Path.GetTempPath"/> (<c>TMPDIR</c> on Linux). Its name is unlinked as soon as it is open
/// (the open handle keeps the data), so nothing is left behind however the process ends: its space returns when the
/// stream is disposed or the process exits, even by SIGKILL. Where an open file cannot be unlinked (not Linux), it is
/// deleted on dispose instead (<see cref="FileOptions.DeleteOnClose"/>). <c>TMPDIR</c> needs room for the blobs being written at once (one per member of the silo writing a checkpoint); on a
/// tmpfs they take memory, though outside the managed heap and once each.
/// </para>
/// </remarks>
internal static class BlobSpoolFile
{
    private const int BufferSize = 1 << 16;

    /// <summary>A new, empty, read-write spool file; <paramref name="kind"/> (<c>checkpoint</c>) goes into its name.</summary>
    public static FileStream Create(string kind)
    {
        var path = Path.Combine(Path.GetTempPath(), $"graphcast-{kind}-{Guid.NewGuid():N}.blob.tmp");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, BufferSize, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        if (OperatingSystem.IsLinux())
        {
            File.Delete(path);
        }

        return stream;
    }
}
