namespace GraphCast.Bench;

/// <summary>Order statistics of repeated timings (median, min, max) and the relative L2 difference of two outputs.</summary>
internal static class Statistics
{
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    /// <summary>‖a − b‖₂ / ‖a‖₂ in double precision.</summary>
    public static double RelativeL2(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Outputs of different lengths ({a.Length} and {b.Length}) cannot be compared.", nameof(b));
        }

        double diff = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            diff += d * d;
            norm += (double)a[i] * a[i];
        }

        return Math.Sqrt(diff / norm);
    }
}
