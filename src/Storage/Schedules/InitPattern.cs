using System.Globalization;
using System.Text.RegularExpressions;
using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Schedules;

/// <summary>
/// A schedule's data trigger: a file path or blob name with the cycle time in it (<c>ifs/{cycle:yyyyMMddHH}.grib</c>), and the
/// name it gives for one cycle. An absolute path is a file on the silo's machine; anything else is a blob name in the store.
/// </summary>
/// <remarks>
/// Placeholders: <c>{cycle}</c> (<c>yyyyMMddHHmm</c>) or <c>{cycle:FORMAT}</c> with a .NET date format of the cycle time in
/// UTC (e.g. <c>yyyyMMddHH</c>, <c>yyyy/MM/dd/HH</c>). A literal brace is written twice.
/// </remarks>
public static partial class InitPattern
{
    /// <summary>The init of a schedule without a data trigger.</summary>
    public const string Analytic = "analytic";

    /// <summary>Whether <paramref name="pattern"/> names a file on the silo's machine (an absolute path), not a blob.</summary>
    public static bool IsLocalPath(string pattern) => Path.IsPathFullyQualified(pattern);

    /// <summary>Checks a pattern: it has a cycle placeholder, its formats are valid, and (for a blob) every name it gives is a valid blob name.</summary>
    /// <exception cref="ArgumentException">The message names the pattern and the fix.</exception>
    public static void Validate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!Placeholder().IsMatch(pattern))
        {
            throw new ArgumentException(
                $"--init '{pattern}' has no cycle placeholder, so every cycle would read the same data: put the cycle time in it, e.g. 'ifs/{{cycle:yyyyMMddHH}}.grib'.");
        }

        var sample = Resolve(pattern, new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc));
        if (!IsLocalPath(pattern) && !BlobName.IsValid(sample))
        {
            throw new ArgumentException(
                $"--init '{pattern}' gives '{sample}', which is not a blob name of the store ('/'-separated, no '..' or leading '/'); give a blob name such as 'ifs/{{cycle:yyyyMMddHH}}.grib', or an absolute path for a file on the silo's machine.");
        }
    }

    /// <summary>The file or blob name of cycle <paramref name="cycleTime"/>.</summary>
    public static string Resolve(string pattern, DateTime cycleTime)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var text = Placeholder().Replace(pattern.Replace("{{", "\u0001", StringComparison.Ordinal).Replace("}}", "\u0002", StringComparison.Ordinal), m =>
        {
            var format = m.Groups["format"].Success ? m.Groups["format"].Value : "yyyyMMddHHmm";
            try
            {
                return cycleTime.ToString(format, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new ArgumentException($"--init '{pattern}': '{format}' is not a date format (use letters such as yyyy, MM, dd, HH, mm).");
            }
        });
        if (text.Contains('{', StringComparison.Ordinal) || text.Contains('}', StringComparison.Ordinal))
        {
            throw new ArgumentException($"--init '{pattern}' has a brace that is not a placeholder: write {{cycle}} or {{cycle:FORMAT}}, and a literal brace twice.");
        }

        return text.Replace('\u0001', '{').Replace('\u0002', '}');
    }

    [GeneratedRegex(@"\{cycle(?::(?<format>[^{}]+))?\}")]
    private static partial Regex Placeholder();
}
