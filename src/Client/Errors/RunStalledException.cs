namespace GraphCast.Orleans.Client.Errors;

/// <summary>
/// A cluster run followed by <c>watch</c> (or <c>forecast</c>, <c>resume</c>) stopped moving while no active silo hosts its
/// members: the message says how long, where it stands and what to start. Exit code 1; the run itself stays as it is and
/// goes on once a compute silo joins.
/// </summary>
public sealed class RunStalledException : Exception
{
    public RunStalledException(string message)
        : base(message)
    {
    }

    public RunStalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
