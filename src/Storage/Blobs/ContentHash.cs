using System.Buffers;
using System.Security.Cryptography;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>The SHA-256 content hash the stores use to recognise identical blobs, as lower-case hex.</summary>
internal static class ContentHash
{
    /// <summary>Read size for hashing and copying: large enough that per-call overhead vanishes, small enough for the array pool.</summary>
    public const int BufferSize = 1 << 20;

    public static string Of(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Hashes <paramref name="stream"/> from its position to its end.</summary>
    public static async Task<(string Sha256, long Length)> OfStreamAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long length = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }

    /// <summary>Throws unless <paramref name="content"/> can be read more than once, as <see cref="IBlobStore"/> requires.</summary>
    public static void RequireSeekable(Stream content, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(content, parameterName);
        if (!content.CanSeek || !content.CanRead)
        {
            throw new ArgumentException(
                "Blob content must be a readable, seekable stream (a MemoryStream or FileStream): stores read it more than once " +
                "(to hash it, and again on a retry).",
                parameterName);
        }
    }
}
