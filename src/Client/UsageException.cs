using System.Globalization;

namespace GraphCast.Orleans.Client;

/// <summary>A user mistake on the command line: printed as one line with the fix, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
