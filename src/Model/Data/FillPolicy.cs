namespace GraphCast.Model.Data;

/// <summary>
/// What to do with model inputs a dataset lacks (<c>--fill</c>): nothing (the default: one error lists them all), interpolate
/// missing pressure levels in log-pressure between the nearest levels the data has, and/or take whatever is still missing
/// from the analytic (Jablonowski–Williamson) state. docs/initial-conditions.md describes each.
/// </summary>
[Flags]
public enum FillPolicy
{
    /// <summary>Fill nothing: a lacking variable or level is an error.</summary>
    None = 0,

    /// <summary>A missing level between two levels the data has: linear in ln p between them (no extrapolation).</summary>
    Interpolate = 1,

    /// <summary>Any variable or level still missing: from the unperturbed analytic state on the model grid.</summary>
    Analytic = 2,
}

/// <summary>Parsing and printing of <see cref="FillPolicy"/> as the command line writes it (<c>none</c>, <c>interpolate,analytic</c>).</summary>
public static class FillPolicies
{
    /// <summary>Parses a comma-separated list of <c>none</c>, <c>interpolate</c>, <c>analytic</c>.</summary>
    /// <exception cref="ArgumentException">An unknown word; the message lists the known ones.</exception>
    public static FillPolicy Parse(string text)
    {
        var policy = FillPolicy.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            policy |= part switch
            {
                "none" => FillPolicy.None,
                "interpolate" => FillPolicy.Interpolate,
                "analytic" => FillPolicy.Analytic,
                _ => throw new ArgumentException($"Fill policy '{part}' is not one of none, interpolate, analytic (combine them with commas, e.g. --fill interpolate,analytic)."),
            };
        }

        return policy;
    }

    /// <summary>The command-line form: <c>none</c>, <c>interpolate</c>, <c>analytic</c> or <c>interpolate,analytic</c>.</summary>
    public static string Format(FillPolicy policy) => policy switch
    {
        FillPolicy.None => "none",
        FillPolicy.Interpolate => "interpolate",
        FillPolicy.Analytic => "analytic",
        _ => "interpolate,analytic",
    };
}
