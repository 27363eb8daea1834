using System.Collections.Concurrent;

namespace GraphCast.Orleans.Grains.Placement;

/// <summary>The members running on this silo right now (their loops), counted by the member grains themselves.</summary>
public sealed class ComputeLoad
{
    private readonly ConcurrentDictionary<GrainId, int> _active = new();

    public int ActiveMembers => _active.Count;

    /// <summary>The members whose loops run here now.</summary>
    public IReadOnlyList<GrainId> Members => _active.Keys.ToArray();

    /// <summary>Counts <paramref name="member"/>'s loop until the returned handle is disposed.</summary>
    public IDisposable Enter(GrainId member)
    {
        _active.AddOrUpdate(member, 1, (_, n) => n + 1);
        return new Exit(this, member);
    }

    private sealed class Exit(ComputeLoad load, GrainId member) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0)
            {
                return;
            }

            while (load._active.TryGetValue(member, out var n))
            {
                if (n <= 1 ? load._active.TryRemove(new KeyValuePair<GrainId, int>(member, n)) : load._active.TryUpdate(member, n - 1, n))
                {
                    return;
                }
            }
        }
    }
}
