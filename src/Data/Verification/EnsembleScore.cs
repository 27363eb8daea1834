namespace GraphCast.Data.Verification;

/// <summary>Scores of one ensemble forecast of one field against the truth (all area-weighted by latitude).</summary>
/// <param name="Members">Members scored.</param>
/// <param name="RmseOfMean">RMSE of the ensemble mean.</param>
/// <param name="RmseOfMembers">RMSE of each member.</param>
/// <param name="Acc">Anomaly correlation of the ensemble mean with the truth; null without a climatology.</param>
/// <param name="Crps">Fair CRPS (skill term − ½ spread term).</param>
/// <param name="Spread">√(area mean of the ensemble variance, ddof = 1); NaN for one member.</param>
/// <param name="SpreadSkillRatio">Spread / RMSE of the ensemble mean.</param>
public sealed record EnsembleScore(int Members, double RmseOfMean, IReadOnlyList<double> RmseOfMembers, double? Acc, double Crps, double Spread, double SpreadSkillRatio);
