using System.Diagnostics;

namespace GraphCast.Model.Network;

/// <summary>
/// Wall-clock time per block of one forward pass (embed, each message-passing step, decoder, the predictor's input and
/// output wrappers), collected on the calling thread while a profile is active; costs nothing otherwise.
/// </summary>
/// <remarks>
/// LibTorch's CPU kernels run synchronously on the calling thread (intra-op threads join before an op returns), so a
/// stopwatch around a block measures that block. Blocks are named <c>{gnn}/{block}</c>, e.g. <c>mesh_gnn/step_3</c>.
/// A profile is per thread, like the transform's frame; nested blocks are not supported (none nest).
/// </remarks>
public sealed class ForwardProfile : IDisposable
{
    [ThreadStatic]
    private static ForwardProfile? _active;

    private readonly List<KeyValuePair<string, TimeSpan>> _blocks = [];

    private ForwardProfile()
    {
    }

    /// <summary>Blocks in the order they ran; a block that ran twice (two forwards) appears twice.</summary>
    public IReadOnlyList<KeyValuePair<string, TimeSpan>> Blocks => _blocks;

    /// <summary>Starts collecting on this thread until the profile is disposed; one profile per thread at a time.</summary>
    public static ForwardProfile Start()
    {
        if (_active is not null)
        {
            throw new InvalidOperationException("A forward profile is already active on this thread; dispose it first.");
        }

        _active = new ForwardProfile();
        return _active;
    }

    /// <summary>Times the block until the returned handle is disposed (a no-op when no profile is active).</summary>
    public static BlockTimer Time(string block) => new(_active, block);

    public void Dispose()
    {
        if (ReferenceEquals(_active, this))
        {
            _active = null;
        }
    }

    /// <summary>The time of one block, recorded when disposed.</summary>
    public readonly struct BlockTimer : IDisposable
    {
        private readonly ForwardProfile? _profile;
        private readonly string _block;
        private readonly long _start;

        internal BlockTimer(ForwardProfile? profile, string block)
        {
            _profile = profile;
            _block = block;
            _start = profile is null ? 0 : Stopwatch.GetTimestamp();
        }

        public void Dispose() => _profile?._blocks.Add(new(_block, Stopwatch.GetElapsedTime(_start)));
    }
}
