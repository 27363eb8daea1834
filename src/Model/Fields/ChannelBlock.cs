namespace GraphCast.Model.Fields;

/// <summary>Where one variable sits in a stacked channel axis: <c>Frames × Levels</c> channels from <c>Offset</c>, time outer, level inner.</summary>
public sealed record ChannelBlock(string Variable, int Frames, int Levels, int Offset)
{
    public int Count => Frames * Levels;

    /// <summary>Channel of (frame, level index) within the whole stacked axis.</summary>
    public int ChannelOf(int frame, int level) => Offset + (frame * Levels) + level;
}
