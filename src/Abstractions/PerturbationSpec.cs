namespace GraphCast.Orleans.Abstractions;

/// <summary>How initial conditions of members are perturbed.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GraphCast.PerturbationSpec")]
public sealed record PerturbationSpec
{
    public static readonly PerturbationSpec None = new() { Kind = PerturbationKind.None };

    [Id(0)]
    public required PerturbationKind Kind { get; init; }

    /// <summary>Noise standard deviation as a fraction of each variable's normalisation stddev.</summary>
    [Id(1)]
    public double Amplitude { get; init; }

    /// <summary>Correlation length on the sphere (km), for <see cref="PerturbationKind.Correlated"/>.</summary>
    [Id(2)]
    public double LengthKm { get; init; }

    /// <summary>Parses <c>none</c>, <c>gaussian:AMP</c> or <c>correlated:AMP:LENGTH_KM</c>.</summary>
    public static PerturbationSpec Parse(string text)
    {
        var parts = text.Split(':');
        static double Number(string s, string what, string text) =>
            double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0
                ? v
                : throw new ArgumentException($"Perturbation '{text}': {what} must be a positive number.");
        return parts[0] switch
        {
            "none" when parts.Length == 1 => None,
            "gaussian" when parts.Length == 2 => new() { Kind = PerturbationKind.Gaussian, Amplitude = Number(parts[1], "the amplitude", text) },
            "correlated" when parts.Length == 3 => new()
            {
                Kind = PerturbationKind.Correlated,
                Amplitude = Number(parts[1], "the amplitude", text),
                LengthKm = Number(parts[2], "the length (km)", text),
            },
            _ => throw new ArgumentException($"Perturbation '{text}' is not none, gaussian:AMP or correlated:AMP:LENGTH_KM (e.g. gaussian:0.05 or correlated:0.05:500)."),
        };
    }

    public override string ToString() => Kind switch
    {
        PerturbationKind.None => "none",
        PerturbationKind.Gaussian => FormattableString.Invariant($"gaussian:{Amplitude}"),
        _ => FormattableString.Invariant($"correlated:{Amplitude}:{LengthKm}"),
    };
}
