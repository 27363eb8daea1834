using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// Option and argument factories shared by the commands: typed values whose parse errors name the option and the expected
/// form (<c>--steps must be an integer ≥ 1, not '0'.</c>), so that System.CommandLine reports them as one line.
/// </summary>
public static class CliOptions
{
    /// <summary>A text option (null when absent).</summary>
    public static Option<string?> Text(string name, string description, string helpName, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName };

    /// <summary>A text option with a default.</summary>
    public static Option<string> Text(string name, string description, string helpName, string defaultValue) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };

    /// <summary>A text option that may be given several times (empty when absent).</summary>
    public static Option<string[]> Repeated(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName, Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };

    /// <summary>A flag (present or not).</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>An integer option with a default and a minimum.</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min = int.MinValue) =>
        new(name) { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseInt(r, name, min) ?? defaultValue };

    /// <summary>An integer option without a default (null when absent), with a minimum.</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, string helpName = "N") =>
        new(name) { Description = description, HelpName = helpName, CustomParser = r => ParseInt(r, name, min) };

    /// <summary>A finite number (null when absent); <paramref name="example"/> shows the form in errors.</summary>
    public static Option<double?> Number(string name, string description, string example, string helpName = "DEG") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r =>
            {
                var s = Single(r);
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
                {
                    return v;
                }

                r.AddError($"{name} must be a number, e.g. {name} {example}, not '{s}'.");
                return null;
            },
        };

    /// <summary>An ISO 8601 time, read as UTC (null when absent).</summary>
    public static Option<DateTime?> Time(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "ISO8601",
            CustomParser = r =>
            {
                var s = Single(r);
                if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
                {
                    return DateTime.SpecifyKind(t, DateTimeKind.Utc);
                }

                r.AddError($"{name} must be an ISO 8601 time such as 2024-06-03T00:00Z, not '{s}'.");
                return null;
            },
        };

    /// <summary>
    /// A required positional argument. Its <paramref name="name"/> says what it is in words (<c>run id</c>): a missing one
    /// reads "'status' needs one run id".
    /// </summary>
    public static Argument<string> Required(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description, Arity = ArgumentArity.ExactlyOne };

    /// <summary>Whether <paramref name="option"/> was given on the command line (not just defaulted).</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Throws the <see cref="Errors.UsageException"/> for an option that is required in this case, with an example.</summary>
    public static T Require<T>(T? value, string name, string example)
        where T : struct =>
        value ?? throw new Errors.UsageException($"{name} is required, e.g. {name} {example}.");

    private static int? ParseInt(ArgumentResult r, string name, int min)
    {
        var s = Single(r);
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min)
        {
            return v;
        }

        r.AddError(min == int.MinValue ? $"{name} must be an integer, not '{s}'." : $"{name} must be an integer ≥ {min}, not '{s}'.");
        return null;
    }

    private static string Single(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
}
