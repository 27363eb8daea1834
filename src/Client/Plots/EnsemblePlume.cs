using SkiaSharp;

namespace GraphCast.Orleans.Client.Plots;

/// <summary>
/// An ensemble plume at one grid point: every member's value over lead time (thin lines), the ensemble mean (thick line)
/// and mean ± spread (shaded), as a PNG.
/// </summary>
internal static class EnsemblePlume
{
    public const int Width = 1000;
    public const int Height = 540;

    private static readonly SKRect PlotArea = new(90, 70, 960, 470);

    /// <param name="leadHours">Lead time of each step, hours.</param>
    /// <param name="members">Per member, its value at each step (NaN where it has none).</param>
    /// <param name="mean">Ensemble mean per step (NaN where no member has a value).</param>
    /// <param name="spread">Ensemble spread per step (NaN for fewer than two members).</param>
    public static void Render(IReadOnlyList<long> leadHours, IReadOnlyList<float[]> members, float[] mean, float[] spread, string title, string subtitle, string units, string path)
    {
        using var bitmap = new SKBitmap(Width, Height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        var band = mean.Zip(spread, (m, s) => float.IsFinite(s) ? new[] { m - s, m + s } : [m]).SelectMany(v => v);
        var (min, max) = PlotStyle.Range(members.SelectMany(m => m).Concat(band));
        var pad = (max - min) * 0.05;
        (min, max) = (min - pad, max + pad);
        var (first, last) = (leadHours[0], leadHours[^1]);
        float X(long hours) => PlotArea.Left + (last == first ? PlotArea.Width / 2 : (float)(hours - first) / (last - first) * PlotArea.Width);
        float Y(double value) => PlotArea.Bottom - (float)((value - min) / (max - min) * PlotArea.Height);

        using (var shade = new SKPaint { Color = new SKColor(0xf4, 0xa5, 0x82, 0x90), Style = SKPaintStyle.Fill, IsAntialias = true })
        using (var outline = new SKPath())
        {
            var steps = Enumerable.Range(0, mean.Length).Where(s => float.IsFinite(mean[s]) && float.IsFinite(spread[s])).ToArray();
            if (steps.Length > 0)
            {
                outline.MoveTo(X(leadHours[steps[0]]), Y(mean[steps[0]] + spread[steps[0]]));
                foreach (var s in steps.Skip(1))
                {
                    outline.LineTo(X(leadHours[s]), Y(mean[s] + spread[s]));
                }

                foreach (var s in steps.Reverse())
                {
                    outline.LineTo(X(leadHours[s]), Y(mean[s] - spread[s]));
                }

                outline.Close();
                canvas.DrawPath(outline, shade);
            }
        }

        using (var line = new SKPaint { Color = new SKColor(0x2c, 0x72, 0x8e, 0xb0), Style = SKPaintStyle.Stroke, StrokeWidth = 1.2f, IsAntialias = true })
        {
            foreach (var values in members)
            {
                DrawSeries(canvas, leadHours, values, X, Y, line);
            }
        }

        using (var thick = new SKPaint { Color = new SKColor(0xb2, 0x18, 0x2b), Style = SKPaintStyle.Stroke, StrokeWidth = 3, IsAntialias = true })
        {
            DrawSeries(canvas, leadHours, mean, X, Y, thick);
        }

        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var small = PlotStyle.Font(13);
        canvas.DrawRect(PlotArea, ink);
        var every = Math.Max(1, (leadHours.Count + 11) / 12);
        for (var s = 0; s < leadHours.Count; s += every)
        {
            var x = X(leadHours[s]);
            canvas.DrawLine(x, PlotArea.Bottom, x, PlotArea.Bottom + 4, ink);
            canvas.DrawText($"{leadHours[s]}", x, PlotArea.Bottom + 18, SKTextAlign.Center, small, text);
        }

        canvas.DrawText("lead time (h)", PlotArea.MidX, PlotArea.Bottom + 38, SKTextAlign.Center, small, text);
        for (var k = 0; k <= 4; k++)
        {
            var value = min + ((max - min) * k / 4);
            canvas.DrawLine(PlotArea.Left - 4, Y(value), PlotArea.Left, Y(value), ink);
            canvas.DrawText(PlotStyle.Label(value), PlotArea.Left - 7, Y(value) + 4, SKTextAlign.Right, small, text);
        }

        canvas.DrawText(units, PlotArea.Left, PlotArea.Top - 8, SKTextAlign.Center, small, text);
        canvas.DrawText($"thin: {members.Count} members   thick: ensemble mean   shaded: mean ± spread", PlotArea.Right, PlotArea.Top - 8, SKTextAlign.Right, small, text);
        using var big = PlotStyle.Font(18);
        canvas.DrawText(title, Width / 2f, 26, SKTextAlign.Center, big, text);
        canvas.DrawText(subtitle, Width / 2f, 48, SKTextAlign.Center, small, text);
        PlotStyle.SavePng(bitmap, path);
    }

    private static void DrawSeries(SKCanvas canvas, IReadOnlyList<long> leadHours, float[] values, Func<long, float> x, Func<double, float> y, SKPaint paint)
    {
        using var path = new SKPath();
        var pen = false;
        for (var s = 0; s < values.Length; s++)
        {
            if (!float.IsFinite(values[s]))
            {
                pen = false;
                continue;
            }

            if (pen)
            {
                path.LineTo(x(leadHours[s]), y(values[s]));
            }
            else
            {
                path.MoveTo(x(leadHours[s]), y(values[s]));
                pen = true;
            }
        }

        canvas.DrawPath(path, paint);
    }
}
