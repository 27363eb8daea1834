namespace GraphCast.Orleans.Storage.Runs;

/// <summary>One thing wrong with a forecast request: the field (in the HTTP API's JSON vocabulary) and the message that says the fix.</summary>
/// <param name="Field">The request field: <c>runId</c>, <c>members</c>, <c>steps</c>, <c>perturb</c>, <c>compression</c>, …</param>
/// <param name="Message">One line naming the value and the fix, the same the <c>graphcast forecast</c> command prints.</param>
public sealed record ForecastSpecProblem(string Field, string Message);
