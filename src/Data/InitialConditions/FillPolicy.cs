namespace GraphCast.Data.InitialConditions;

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
