namespace GraphCast.Model.Geometry;

/// <summary>
/// Single-precision sine and cosine that round exactly as the reference's float32 path does
/// (numpy's vectorised float32 <c>sin</c>/<c>cos</c> on FMA hardware), so that grid positions built from
/// float32 latitude/longitude match the reference bit for bit.
/// </summary>
/// <remarks>
/// Why this exists: GraphCast casts the grid coordinates to float32 before the grid→mesh radius query, and numpy
/// then evaluates <c>deg2rad</c>, <c>sin</c> and <c>cos</c> in float32 with its own polynomial kernels, which differ
/// from correctly rounded results in about one value in five. The grid2mesh edge count of the 0.25° model
/// (1,618,746) depends on those last bits: correctly rounded float32 trigonometry gives 1,618,747, and float64
/// positions 1,618,748. The kernel is a Cody–Waite reduction by π/2 in three fused steps followed by minimax
/// polynomials on [−π/4, π/4], all in fused multiply–adds (MathF.FusedMultiplyAdd is exact in software too, so the
/// result does not depend on the CPU). Valid for |x| ≤ 71476 (the kernel's documented range); geometry only ever
/// passes angles in [−2π, 2π].
/// </remarks>
internal static class Float32SinCos
{
    /// <summary>Largest |x| for which the three-step reduction is accurate (the cosine's bound, the tighter one).</summary>
    public const float MaxArgument = 71476.0625f;

    // Constants of the reference kernel, as float32 hexadecimal literals (value = mantissa · 2^exponent).
    private static readonly float TwoOverPi = HexFloat(0x145f306, -24 - 1);        // 0x1.45f306p-1
    private static readonly float PiOver2High = -HexFloat(0x1921fb0, -24 + 0);     // -0x1.921fb0p+00
    private static readonly float PiOver2Medium = -HexFloat(0x15110b4, -24 - 22);  // -0x1.5110b4p-22
    private static readonly float PiOver2Low = -HexFloat(0x1846988, -24 - 48);     // -0x1.846988p-48

    private static readonly float Cos8 = HexFloat(0x198e616, -24 - 16);   // 0x1.98e616p-16
    private static readonly float Cos6 = -HexFloat(0x16c06dc, -24 - 10);  // -0x1.6c06dcp-10
    private static readonly float Cos4 = HexFloat(0x155553c, -24 - 5);    // 0x1.55553cp-05

    private static readonly float Sin9 = HexFloat(0x17d3bbc, -24 - 19);   // 0x1.7d3bbcp-19
    private static readonly float Sin7 = -HexFloat(0x1a06bba, -24 - 13);  // -0x1.a06bbap-13
    private static readonly float Sin5 = HexFloat(0x111119a, -24 - 7);    // 0x1.11119ap-07
    private static readonly float Sin3 = -HexFloat(0x1555556, -24 - 3);   // -0x1.555556p-03

    /// <summary>sin(x) rounded as the reference's float32 kernel rounds it.</summary>
    public static float Sin(float x) => Evaluate(x, quadrantShift: 0);

    /// <summary>cos(x) rounded as the reference's float32 kernel rounds it.</summary>
    public static float Cos(float x) => Evaluate(x, quadrantShift: 1);

    private static float Evaluate(float x, int quadrantShift)
    {
        if (float.IsNaN(x))
        {
            return float.NaN;
        }

        if (MathF.Abs(x) > MaxArgument)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, $"Float32SinCos is only defined for |x| <= {MaxArgument}.");
        }

        // Nearest quadrant; round-half-even matches the kernel's add-and-subtract 1.5·2^23 trick for |q| < 2^22.
        var quadrant = MathF.Round(x * TwoOverPi, MidpointRounding.ToEven);
        var reduced = MathF.FusedMultiplyAdd(quadrant, PiOver2High, x);
        reduced = MathF.FusedMultiplyAdd(quadrant, PiOver2Medium, reduced);
        reduced = MathF.FusedMultiplyAdd(quadrant, PiOver2Low, reduced);
        var reduced2 = reduced * reduced;

        var k = (int)quadrant + quadrantShift;
        float value;
        if ((k & 1) == 0)
        {
            var s = MathF.FusedMultiplyAdd(Sin9, reduced2, Sin7);
            s = MathF.FusedMultiplyAdd(s, reduced2, Sin5);
            s = MathF.FusedMultiplyAdd(s, reduced2, Sin3);
            s = MathF.FusedMultiplyAdd(s, reduced2, 0f);
            value = MathF.FusedMultiplyAdd(s, reduced, reduced);
        }
        else
        {
            var c = MathF.FusedMultiplyAdd(Cos8, reduced2, Cos6);
            c = MathF.FusedMultiplyAdd(c, reduced2, Cos4);
            c = MathF.FusedMultiplyAdd(c, reduced2, -0.5f);
            value = MathF.FusedMultiplyAdd(c, reduced2, 1f);
        }

        // The kernel negates through 0 − v, so a +0 result stays +0.
        return (k & 2) == 2 ? 0f - value : value;
    }

    private static float HexFloat(int mantissa, int exponent) => (float)Math.ScaleB(mantissa, exponent);
}
