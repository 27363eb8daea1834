namespace GraphCast.Orleans.Client.Errors;

/// <summary>
/// A local cluster could not be started or reached: a process exited or did not come up in time, or the client could not
/// connect. The message names what failed and where its log is; the command line prints it without a stack trace.
/// </summary>
public sealed class ClusterException : Exception
{
    public ClusterException(string message)
        : base(message)
    {
    }

    public ClusterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
