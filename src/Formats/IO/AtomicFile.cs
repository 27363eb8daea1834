namespace GraphCast.Formats.IO;

/// <summary>Writes a file whole or not at all: into a temporary sibling, flushed to disk, then renamed over the target.</summary>
/// <remarks>
/// A checkpoint that a crash or a serialisation error interrupts must not replace a good one with half a file
/// (DESIGN §5: a blob exists whole or not at all; the local-directory backend renames a temp name).
/// </remarks>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(
            Path.GetDirectoryName(fullPath) ?? ".", $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
