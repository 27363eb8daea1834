using System.Globalization;

namespace GraphCast.Orleans.Client;

/// <summary>
/// The options of one command (<c>--name value</c>, <c>--name=value</c> and flags), with typed accessors whose errors
/// name the option and the expected form. Unknown options are rejected so that typos do not pass silently.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CliArguments(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var positional = new List<string>();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(a);
                continue;
            }

            var name = a[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (!flags.Contains(name))
            {
                if (!e.MoveNext())
                {
                    throw new UsageException($"--{name} needs a value.");
                }

                value = e.Current;
            }

            if (!_options.TryAdd(name, value))
            {
                throw new UsageException($"--{name} was given twice.");
            }
        }

        Positional = positional;
    }

    public IReadOnlyList<string> Positional { get; }

    public bool Has(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    public bool Flag(string name) => Has(name);

    public string? String(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var v) ? v : null;
    }

    public string Required(string name, string example) =>
        String(name) ?? throw new UsageException($"--{name} is required, e.g. --{name} {example}.");

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        var s = String(name);
        if (s is null)
        {
            return fallback;
        }

        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
        {
            throw new UsageException($"--{name} must be an integer ≥ {min}, not '{s}'.");
        }

        return v;
    }

    public double Double(string name, string example)
    {
        var s = Required(name, example);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            throw new UsageException($"--{name} must be a number, e.g. --{name} {example}, not '{s}'.");
        }

        return v;
    }

    public DateTime Time(string name)
    {
        var s = Required(name, "2024-06-03T00:00Z");
        if (!DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            throw new UsageException($"--{name} must be an ISO 8601 time such as 2024-06-03T00:00Z, not '{s}'.");
        }

        return DateTime.SpecifyKind(t, DateTimeKind.Utc);
    }

    /// <summary>Rejects options the command never read (typos, options of another command).</summary>
    public void RejectUnknown(string command)
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new UsageException($"'{command}' has no option --{unknown[0]}. Run 'graphcast help' for the options of each command.");
        }
    }
}
