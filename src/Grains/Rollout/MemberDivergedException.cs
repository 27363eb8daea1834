namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>
/// A member's state became non-finite (NaN or ±infinity): a step, or the perturbed initial state, overflowed. Retrying gives
/// the same numbers, so the member stops as Failed with this message instead of writing a forecast of NaNs.
/// </summary>
public sealed class MemberDivergedException : Exception
{
    public MemberDivergedException(int step, string variable, long count, long total, string? hint = null)
        : base($"diverged at step {step}: {variable} has {count} non-finite values" +
            (total > count ? $" ({total} in all)" : "") + (hint is null ? "" : "; " + hint))
    {
        Step = step;
        Variable = variable;
        Count = count;
    }

    public MemberDivergedException()
    {
        Variable = "";
    }

    public MemberDivergedException(string message)
        : base(message)
    {
        Variable = "";
    }

    public MemberDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Variable = "";
    }

    /// <summary>The step whose result is non-finite (0: the perturbed initial state).</summary>
    public int Step { get; }

    /// <summary>The first variable, in channel order, with non-finite values.</summary>
    public string Variable { get; }

    /// <summary>How many of its values are non-finite.</summary>
    public long Count { get; }
}
