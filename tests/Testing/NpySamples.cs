using GraphCast.Formats.Npy;

namespace GraphCast.Testing;

/// <summary>Small npy arrays of every dtype the readers handle, with the awkward values (NaN payloads, −0, extremes) tests need.</summary>
public static class NpySamples
{
    public static NpyArray Sample(string kind) => kind switch
    {
        "float32" => NpyArray.FromFloats([1.5f, -0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00001), float.Epsilon, float.NegativeInfinity]),
        "float64" => NpyArray.FromDoubles([Math.PI, -0d, double.MaxValue, BitConverter.Int64BitsToDouble(0x7FF8000000000123)], [2, 2]),
        "float16" => new NpyArray(NpyDtype.Float16, [3], [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x7E]),
        "int64" => NpyArray.FromLongs([long.MinValue, -1, 0, long.MaxValue]),
        "int32" => NpyArray.FromInts([int.MinValue, 50, 1000, int.MaxValue], [4, 1]),
        "uint8" => new NpyArray(NpyDtype.UInt8, [2, 2], [0, 1, 128, 255]),
        "bool" => NpyArray.FromBools([true, false, false, true, true, false], [3, 2]),
        "unicode" => NpyArray.FromStrings(["2m_temperature", "", "Δt 🌍"], [3]),
        "float64-0d" => NpyArray.FromScalar(0.5999912857713345),
        "int64-0d" => NpyArray.FromScalar(37L),
        "unicode-0d" => NpyArray.FromString("CC BY-NC-SA 4.0"),
        "float32-empty" => NpyArray.FromFloats([], [0, 512]),
        "float32-3d" => NpyArray.FromFloats(Enumerable.Range(0, 24).Select(i => i * 0.25f).ToArray(), [2, 3, 4]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
