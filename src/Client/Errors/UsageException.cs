namespace GraphCast.Orleans.Client.Errors;

/// <summary>A user mistake on the command line: printed as one line with the fix, exit code 2 (<see cref="ExitCodes.Usage"/>).</summary>
public sealed class UsageException(string message) : Exception(message);
