namespace GraphCast.Data.InitialConditions;

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
