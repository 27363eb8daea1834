using System.IO.Compression;
using GraphCast.Formats.IO;

namespace GraphCast.Formats.Npy;

/// <summary>The numpy <c>.npz</c> archive: a zip of <c>{key}.npy</c> entries, read and written in entry order.</summary>
/// <remarks>
/// <c>np.savez</c> stores entries uncompressed and <c>np.savez_compressed</c> deflates them; numpy forces zip64
/// local headers on every entry. <see cref="ZipArchive"/> reads all of these; the entries' CRC-32 is checked
/// here, since <see cref="ZipArchive"/> does not. Each entry is decoded straight
/// from its zip stream into the array's own buffer, so reading holds one copy of the data (plus, for a
/// non-seekable source, the in-memory copy <see cref="ZipArchive"/> makes of the whole archive).
/// </remarks>
public static class NpzArchive
{
    private const string EntrySuffix = ".npy";

    /// <summary>Zip's earliest timestamp: written on every entry so that equal contents give equal bytes (and hashes).</summary>
    private static readonly DateTimeOffset EntryTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every array of the .npz file at <paramref name="path"/>, keyed by entry name without <c>.npy</c>, in archive order.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip, or an entry is not a supported .npy array.</exception>
    public static OrderedDictionary<string, NpyArray> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(file, path);
    }

    /// <summary>Reads every array of the .npz archive in <paramref name="stream"/>, keyed by entry name without <c>.npy</c>, in archive order.</summary>
    /// <param name="sourceName">Names the archive in error messages.</param>
    /// <exception cref="InvalidDataException">The stream is not a zip, or an entry is not a supported .npy array.</exception>
    public static OrderedDictionary<string, NpyArray> Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName ?? "the .npz stream";
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{source}' is not a .npz archive (a zip of .npy files): {e.Message}", e);
        }

        using (archive)
        {
            var arrays = new OrderedDictionary<string, NpyArray>(archive.Entries.Count, StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                string name = entry.FullName;
                if (!name.EndsWith(EntrySuffix, StringComparison.Ordinal))
                {
                    throw new InvalidDataException(
                        $"'{source}' has an entry '{name}' that is not a .npy array; an .npz checkpoint holds only '<key>.npy' entries.");
                }

                string key = name[..^EntrySuffix.Length];
                NpyArray array;
                try
                {
                    var crc = new System.IO.Hashing.Crc32();
                    using var entryStream = new ObservedReadStream(entry.Open(), crc.Append);
                    array = NpyFormat.Read(entryStream, name);

                    // ZipArchive does not verify CRC-32 on read: check it here, so a corrupt checkpoint is refused
                    // rather than loaded as wrong weights. Trailing bytes are read for the checksum and ignored, as numpy does.
                    entryStream.CopyTo(Stream.Null);
                    if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
                    {
                        throw new InvalidDataException(
                            $"'{name}' is corrupt: its CRC-32 is {crc.GetCurrentHashAsUInt32():x8} but the archive records {entry.Crc32:x8}.");
                    }
                }
                catch (InvalidDataException e)
                {
                    // Zip-level failures (CRC, bad compressed data) and .npy errors both get the archive named.
                    throw new InvalidDataException($"In '{source}': {e.Message}", e);
                }

                if (!arrays.TryAdd(key, array))
                {
                    throw new InvalidDataException($"'{source}' holds the key '{key}' twice.");
                }
            }

            return arrays;
        }
    }

    /// <summary>Writes <paramref name="arrays"/> to an .npz file at <paramref name="path"/>, in the given order; an existing file is replaced only once the new one is complete.</summary>
    /// <param name="compressed">false: stored entries, like <c>np.savez</c> (the reference checkpoints); true: deflated, like <c>np.savez_compressed</c>.</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compressed = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        AtomicFile.Write(path, file => Write(file, arrays, compressed));
    }

    /// <summary>Writes <paramref name="arrays"/> as an .npz archive to <paramref name="stream"/> (which stays open), in the given order.</summary>
    /// <param name="compressed">false: stored entries, like <c>np.savez</c> (the reference checkpoints); true: deflated, like <c>np.savez_compressed</c>.</param>
    /// <exception cref="ArgumentException">A key is empty or repeated, or an array has no .npy dtype (bfloat16).</exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compressed = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);
        var level = compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach ((string key, NpyArray array) in arrays)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(arrays));
            ArgumentNullException.ThrowIfNull(array, nameof(arrays));
            if (!keys.Add(key))
            {
                throw new ArgumentException($"The key '{key}' appears twice; .npz keys must be unique.", nameof(arrays));
            }

            // Fail before the entry exists: a half-written entry would be left in the archive otherwise.
            try
            {
                _ = NpyFormat.Descr(array.Dtype, array.UnicodeLength);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Array '{key}': {e.Message}", nameof(arrays), e);
            }

            var entry = archive.CreateEntry(key + EntrySuffix, level);
            entry.LastWriteTime = EntryTimestamp;
            using var entryStream = entry.Open();
            NpyFormat.Write(entryStream, array);
        }
    }
}
