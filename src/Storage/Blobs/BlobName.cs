using System.Diagnostics.CodeAnalysis;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>The rules for blob names in an <see cref="IBlobStore"/>: '/'-separated relative paths that cannot leave their prefix.</summary>
/// <remarks>
/// A name such as <c>runs/{runId}/members/0/checkpoints/000012.safetensors</c> is one path in both backends: a blob name
/// in the Azure container and a file path under the local root. Validation is what keeps a run id like <c>../x</c> or
/// <c>a/b</c> from reaching another run's blobs (DESIGN §7), so it refuses anything a file system or a URL would
/// interpret: empty, <c>.</c> and <c>..</c> segments, a leading or trailing '/', backslashes and control characters.
/// The first segment <see cref="ReservedSegment"/> is kept for the local store's staging files.
/// </remarks>
public static class BlobName
{
    /// <summary>The longest name Azure Blob Storage accepts, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>A first segment reserved for the local directory store's own files (staging area and lock).</summary>
    public const string ReservedSegment = ".graphcast";

    /// <summary>Throws unless <paramref name="name"/> is a valid blob name.</summary>
    /// <exception cref="ArgumentException">The name breaks a rule; the message quotes it and says which rule.</exception>
    public static void Validate([NotNull] string? name, string parameterName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        if (Check(name, allowPrefix: false) is { } problem)
        {
            throw new ArgumentException($"'{Printable(name)}' is not a valid blob name: {problem}.", parameterName);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="prefix"/> is a valid listing prefix: empty, or a valid name that may end with '/'
    /// (a prefix matches names that start with it, as in Azure: <c>runs/a</c> also matches <c>runs/ab/x</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The prefix breaks a rule; the message quotes it and says which rule.</exception>
    public static void ValidatePrefix([NotNull] string? prefix, string parameterName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        if (Check(prefix, allowPrefix: true) is { } problem)
        {
            throw new ArgumentException($"'{Printable(prefix)}' is not a valid blob name prefix: {problem}.", parameterName);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="segment"/> is usable as one path segment (a run id, a variable name): a valid name
    /// without '/'. <paramref name="what"/> names the input in the message ("run id", "variable name").
    /// </summary>
    /// <exception cref="ArgumentException">The segment breaks a rule; the message quotes it and says which rule.</exception>
    public static void ValidateSegment([NotNull] string? segment, string what, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(segment, parameterName);
        string? problem = segment.Contains('/', StringComparison.Ordinal)
            ? "it contains '/', which would make it a path of several segments"
            : Check(segment, allowPrefix: false);
        if (problem is not null)
        {
            throw new ArgumentException($"'{Printable(segment)}' is not a valid {what}: {problem}.", parameterName);
        }
    }

    /// <summary>Whether <paramref name="name"/> is a valid blob name.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name) => Check(name, allowPrefix: false) is null;

    private static string? Check(string? name, bool allowPrefix)
    {
        if (name is null)
        {
            return "it is null";
        }

        if (name.Length == 0)
        {
            return allowPrefix ? null : "it is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"it is {name.Length} characters long; the limit is {MaxLength}";
        }

        if (name[0] == '/')
        {
            return "it starts with '/'; names are relative paths such as 'runs/r1/run.json'";
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '\\')
            {
                return $"it contains a backslash at position {i}; use '/' to separate segments";
            }

            if (char.IsControl(c))
            {
                return $"it contains the control character U+{(int)c:X4} at position {i}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // Blob names travel as UTF-8 (URLs, file names): half a character has no encoding.
                return $"it contains an unpaired UTF-16 surrogate at position {i}";
            }
        }

        string[] segments = name.Split('/');
        int last = allowPrefix && name[^1] == '/' ? segments.Length - 1 : segments.Length;
        if (!allowPrefix && name[^1] == '/')
        {
            return "it ends with '/'; a blob name names a blob, not a folder";
        }

        for (int i = 0; i < last; i++)
        {
            string segment = segments[i];
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//')";
            }

            if (segment is "." or "..")
            {
                return $"it has a '{segment}' segment; names cannot refer to the current or parent folder";
            }
        }

        if (string.Equals(segments[0], ReservedSegment, StringComparison.Ordinal))
        {
            return $"its first segment '{ReservedSegment}' is reserved for the store's staging files";
        }

        return null;
    }

    /// <summary>The name as it can be quoted in a message: control characters escaped so the message stays one line.</summary>
    private static string Printable(string? name)
    {
        if (name is null)
        {
            return "(null)";
        }

        var text = new System.Text.StringBuilder(name.Length);
        foreach (char c in name.Length > 200 ? name[..200] : name)
        {
            text.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return name.Length > 200 ? text.Append('…').ToString() : text.ToString();
    }
}
