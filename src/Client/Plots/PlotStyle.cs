using SkiaSharp;

namespace GraphCast.Orleans.Client.Plots;

/// <summary>What maps and plumes share: the typeface (a font file, since the dependency-free Skia build has no font lookup), the colour map and number formatting.</summary>
internal static class PlotStyle
{
    /// <summary>Fonts tried in order; Debian's fonts-dejavu-core provides the first (scripts/test.sh installs it).</summary>
    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/lato/Lato-Regular.ttf",
    ];

    /// <summary>Viridis (matplotlib's default map, perceptually uniform) sampled at nine stops, low to high.</summary>
    private static readonly SKColor[] Viridis =
    [
        new(0x44, 0x01, 0x54), new(0x47, 0x2d, 0x7b), new(0x3b, 0x52, 0x8b), new(0x2c, 0x72, 0x8e), new(0x21, 0x91, 0x8c),
        new(0x28, 0xae, 0x80), new(0x5e, 0xc9, 0x62), new(0xad, 0xdc, 0x30), new(0xfd, 0xe7, 0x25),
    ];

    private static readonly Lazy<SKTypeface> LoadedTypeface = new(() =>
        FontFiles.Where(File.Exists).Select(SKTypeface.FromFile).FirstOrDefault(t => t is not null) ?? SKTypeface.Default);

    public static SKTypeface Typeface => LoadedTypeface.Value;

    public static SKColor Missing => new(0xbb, 0xbb, 0xbb);

    public static SKFont Font(float size) => new(Typeface, size);

    /// <summary>The colour of <paramref name="t"/> in [0, 1] (clamped) on the colour map.</summary>
    public static SKColor Colour(double t)
    {
        t = Math.Clamp(t, 0, 1) * (Viridis.Length - 1);
        var i = Math.Min((int)t, Viridis.Length - 2);
        var f = t - i;
        var (a, b) = (Viridis[i], Viridis[i + 1]);
        return new SKColor(Lerp(a.Red, b.Red, f), Lerp(a.Green, b.Green, f), Lerp(a.Blue, b.Blue, f));
    }

    /// <summary>A value range for finite <paramref name="values"/>, widened when flat so the scale never divides by zero.</summary>
    public static (double Min, double Max) Range(IEnumerable<float> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (float.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        if (!double.IsFinite(min))
        {
            return (0, 1);
        }

        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            var pad = Math.Max(Math.Abs(max) * 1e-3, 1e-6);
            return (min - pad, max + pad);
        }

        return (min, max);
    }

    /// <summary>Short label of a tick value (4 significant digits, invariant culture).</summary>
    public static string Label(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);

    public static void SavePng(SKBitmap bitmap, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"--out {path}: the folder '{directory}' does not exist; create it or pick another path.");
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + ((b - a) * f));
}
