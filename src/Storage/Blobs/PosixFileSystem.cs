using System.Runtime.InteropServices;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>The POSIX file operations .NET does not expose and the local blob store needs: an atomic create-only link and a directory fsync.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>link(2)</c> fails with EEXIST when the new name exists, atomically: of several writers racing for one name
/// exactly one succeeds. <c>File.Move(…, overwrite: false)</c> is not a substitute: on Unix .NET checks that the target
/// is absent with <c>lstat</c> and then calls <c>rename(2)</c>, which replaces a file that appeared in between
/// (dotnet/runtime, FileSystem.Unix.cs, MoveFile).</item>
/// <item>A new directory entry (from <c>link</c> or <c>rename</c>) is durable only once its directory is fsynced; .NET cannot
/// open a directory as a file, hence <c>open(O_RDONLY)</c> + <c>fsync</c> here.</item>
/// </list>
/// </remarks>
internal static partial class PosixFileSystem
{
    // glibc's soname; "libc" alone is not resolvable on systems without the libc6-dev linker script.
    private const string LibC = "libc.so.6";

    // errno values shared by Linux on every architecture .NET runs on.
    private const int Eintr = 4;
    private const int Eexist = 17;
    private const int Einval = 22;
    private const int Exdev = 18;
    private const int Eperm = 1;
    private const int Eopnotsupp = 95;

    private const int OpenReadOnly = 0;

    /// <summary>Gives <paramref name="existingPath"/>'s file the additional name <paramref name="newPath"/>; false if that name exists.</summary>
    /// <exception cref="IOException">Any other failure; the message names both paths and the system error.</exception>
    public static bool TryLink(string existingPath, string newPath)
    {
        while (true)
        {
            if (Link(existingPath, newPath) == 0)
            {
                return true;
            }

            int error = Marshal.GetLastPInvokeError();
            switch (error)
            {
                case Eintr:
                    continue;
                case Eexist:
                    return false;
                case Eperm or Eopnotsupp or Exdev:
                    throw new IOException(
                        $"Cannot link '{existingPath}' to '{newPath}': {Marshal.GetPInvokeErrorMessage(error)} (errno {error}). " +
                        "The local blob store needs a file system with hard links (ext4, xfs, btrfs, tmpfs, overlayfs…) and its whole " +
                        "root on one file system; choose another folder.");
                default:
                    throw new IOException(
                        $"Cannot link '{existingPath}' to '{newPath}': {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
            }
        }
    }

    /// <summary>Makes the entries of <paramref name="directory"/> durable (after a link, rename or unlink in it).</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed.</exception>
    public static void FlushDirectory(string directory)
    {
        int descriptor;
        do
        {
            descriptor = Open(directory, OpenReadOnly);
        }
        while (descriptor < 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (descriptor < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open the folder '{directory}' to flush it: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                int error = Marshal.GetLastPInvokeError();
                // Some file systems (certain network and FUSE ones) do not support fsync on directories: nothing more can be done there.
                if (error != Einval)
                {
                    throw new IOException($"Cannot flush the folder '{directory}' to disk: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
                }
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport(LibC, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);

    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(LibC, EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport(LibC, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
