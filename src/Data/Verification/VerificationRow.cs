using System.Globalization;
using System.Text;

namespace GraphCast.Data.Verification;

/// <summary>The scores of one variable, level and lead time.</summary>
/// <param name="LevelHpa">Pressure level; null for a surface field.</param>
public sealed record VerificationRow(string Variable, int? LevelHpa, TimeSpan LeadTime, DateTime ValidTime, EnsembleScore Score);
