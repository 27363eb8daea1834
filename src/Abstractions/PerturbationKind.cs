namespace GraphCast.Orleans.Abstractions;

[GenerateSerializer]
public enum PerturbationKind
{
    None,
    Gaussian,
    Correlated,
}
