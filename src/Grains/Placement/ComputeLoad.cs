namespace GraphCast.Orleans.Grains.Placement;

/// <summary>The members running on this silo right now (their loops), counted by the member grains themselves.</summary>
public sealed class ComputeLoad
{
    private int _active;

    public int ActiveMembers => Volatile.Read(ref _active);

    /// <summary>Counts a member loop until the returned handle is disposed.</summary>
    public IDisposable Enter()
    {
        Interlocked.Increment(ref _active);
        return new Exit(this);
    }

    private sealed class Exit(ComputeLoad load) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref load._active);
            }
        }
    }
}
