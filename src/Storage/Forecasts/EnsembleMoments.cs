namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>
/// Running ensemble mean and variance of one array of values (Welford's update in float64), fed one member at a time so
/// that no member has to be kept: two doubles per value, whatever the ensemble size.
/// </summary>
/// <remarks>
/// Welford's update (mean += δ/n, M2 += δ·(x − mean)) avoids the cancellation of a sum-of-squares formula, which in float64
/// would lose about log2(mean²/variance) bits — many for geopotential (~5e4 m² s⁻² with member spreads of ~1). The result
/// depends on the order members are added in only through float64 rounding (relative ~1e-16), far below the float32 the
/// statistics are stored in; a statistics pass adds them in ascending member order, so its results are reproducible bit
/// for bit. Spread is the sample standard deviation, ddof = 1, as WeatherBench 2's spread–skill ratio uses it; it is NaN
/// for fewer than two members, and the mean is NaN for none. A NaN value of a member makes that value's mean and spread NaN.
/// </remarks>
public sealed class EnsembleMoments
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    public EnsembleMoments(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _mean = new double[length];
        _m2 = new double[length];
    }

    /// <summary>Members added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Values per member.</summary>
    public int Length => _mean.Length;

    /// <summary>Adds one member's values (<see cref="Length"/> of them, in the same order every time).</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        if (values.Length != _mean.Length)
        {
            throw new ArgumentException($"A member has {_mean.Length} values here; {values.Length} were given.", nameof(values));
        }

        Count++;
        double n = Count;
        for (var i = 0; i < values.Length; i++)
        {
            double x = values[i];
            double delta = x - _mean[i];
            _mean[i] += delta / n;
            _m2[i] += delta * (x - _mean[i]);
        }
    }

    /// <summary>The ensemble mean, rounded to float32 (NaN when no member was added).</summary>
    public float[] Mean()
    {
        var result = new float[_mean.Length];
        MeanInto(result);
        return result;
    }

    /// <summary>The ensemble spread: sample standard deviation (ddof = 1), rounded to float32; NaN for fewer than two members.</summary>
    public float[] Spread()
    {
        var result = new float[_m2.Length];
        SpreadInto(result);
        return result;
    }

    /// <summary>Writes <see cref="Mean"/> into <paramref name="destination"/> (<see cref="Length"/> values) without allocating.</summary>
    public void MeanInto(Span<float> destination)
    {
        CheckDestination(destination);
        for (var i = 0; i < _mean.Length; i++)
        {
            destination[i] = Count == 0 ? float.NaN : (float)_mean[i];
        }
    }

    /// <summary>Writes <see cref="Spread"/> into <paramref name="destination"/> (<see cref="Length"/> values) without allocating.</summary>
    public void SpreadInto(Span<float> destination)
    {
        CheckDestination(destination);
        for (var i = 0; i < _m2.Length; i++)
        {
            destination[i] = Count < 2 ? float.NaN : (float)Math.Sqrt(_m2[i] / (Count - 1));
        }
    }

    private void CheckDestination(Span<float> destination)
    {
        if (destination.Length != _mean.Length)
        {
            throw new ArgumentException($"The statistics have {_mean.Length} values; the destination holds {destination.Length}.", nameof(destination));
        }
    }
}
